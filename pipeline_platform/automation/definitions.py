"""The automation layer's contribution: jobs, schedules, sensors and the ``slack`` resource.

Built by a function so cron, timezone, Slack settings and the alert policy file are read when the
code location loads, never at import; a bad policy file therefore fails the load with its line.
Default status of each schedule and sensor is declared where it is defined.
"""

import dagster as dg

from pipeline_platform.automation.check_alerts import build_check_failure_alert_sensor
from pipeline_platform.automation.conditions import automation_sensor
from pipeline_platform.automation.digest import build_digest_sensor
from pipeline_platform.automation.failure_alerts import build_run_failure_alert_sensor
from pipeline_platform.automation.health_alerts import build_health_alert_sensor
from pipeline_platform.automation.jobs import deploy_dashboard_job, ingest_job, marts_job, refresh_warehouse_job
from pipeline_platform.automation.landing_sensor import build_landing_sensor
from pipeline_platform.automation.policies import load_policies
from pipeline_platform.automation.progress_alerts import build_run_progress_sensor
from pipeline_platform.automation.schedules import build_ingest_schedule, build_marts_schedule
from pipeline_platform.automation.settings import TOKEN_ENV
from pipeline_platform.automation.slack import PlatformSlack


def slack_resource() -> PlatformSlack:
    return PlatformSlack(token=dg.EnvVar(TOKEN_ENV))


def automation_defs() -> dg.Definitions:
    slack, policies = slack_resource(), load_policies()
    return dg.Definitions(
        jobs=[ingest_job, refresh_warehouse_job, marts_job, deploy_dashboard_job],
        schedules=[build_ingest_schedule(), build_marts_schedule()],
        sensors=[
            build_landing_sensor(),
            automation_sensor(),
            build_run_failure_alert_sensor(slack, policies),
            build_check_failure_alert_sensor(slack, policies),
            build_run_progress_sensor(slack, policies),
            build_health_alert_sensor(slack, policies),
            build_digest_sensor(slack),
        ],
        resources={"slack": slack},
    )
