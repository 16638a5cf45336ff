"""The automation layer's contribution: jobs, schedules, sensors and alerts."""

import dagster as dg

from pipeline_platform.automation.jobs import deploy_dashboard_job, ingest_job, refresh_warehouse_job
from pipeline_platform.automation.schedules import daily_ingest_schedule
from pipeline_platform.automation.sensors import landing_sensor


def automation_defs() -> dg.Definitions:
    return dg.Definitions(
        jobs=[ingest_job, refresh_warehouse_job, deploy_dashboard_job],
        schedules=[daily_ingest_schedule],
        sensors=[landing_sensor],
    )
