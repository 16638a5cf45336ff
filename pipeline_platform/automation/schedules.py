"""Time-based triggers: the daily ingest asks for yesterday's partition, the day that just closed.

Declared ``RUNNING`` so a fresh clone's ``make dev`` keeps the demo moving without a click.
"""

import dagster as dg

from pipeline_platform.automation.jobs import ingest_job
from pipeline_platform.partitions import daily_partitions

daily_ingest_schedule = dg.build_schedule_from_partitioned_job(
    ingest_job,
    hour_of_day=1,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
