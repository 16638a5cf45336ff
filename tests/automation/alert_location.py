"""A code location for the daemon test: a sensor that always raises, and the health alert sensor
watching it, both ticked by a real ``dagster-daemon``."""

import dagster as dg

from pipeline_platform.automation.health_alerts import build_health_alert_sensor
from pipeline_platform.automation.policies import load_policies
from pipeline_platform.automation.slack import PlatformSlack


@dg.sensor(minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING)
def exploding_sensor(context):
    raise PermissionError("landing folder unreadable: permission denied")


SLACK = PlatformSlack(token=dg.EnvVar("SLACK_BOT_TOKEN"), backoff_seconds=0.05, max_wait_seconds=3)
defs = dg.Definitions(sensors=[exploding_sensor, build_health_alert_sensor(SLACK, load_policies(), minimum_interval_seconds=1)])
