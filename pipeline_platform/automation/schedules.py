"""Time-based triggers, built by functions so cron and timezone are read when the location loads.

Each tick asks for the previous day (in the schedule's timezone): the day that just closed. The
ingest schedule is ``RUNNING`` by default because it is what keeps API sources (which have no
landing files) fresh without a click; the marts schedule is ``STOPPED`` because declarative
automation already rebuilds the marts after every load; it is the fallback for a deployment that
turns that sensor off, and running both would build the marts twice.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from pipeline_platform.automation.jobs import ingest_job, marts_job
from pipeline_platform.automation.settings import setting
from pipeline_platform.partitions import daily_partitions


def previous_day_request(context: dg.ScheduleEvaluationContext, timezone: str, prefix: str):
    """A run request for the day before the tick, or a reason when that day is not a partition."""
    tick = context.scheduled_execution_time.astimezone(ZoneInfo(timezone))
    day = (tick.date() - timedelta(days=1)).isoformat()
    partitions = daily_partitions()
    if partitions is None:  # a project without daily sources: a plain run of everything
        return dg.RunRequest(run_key=f"{prefix}:{day}")
    if day not in partitions.get_partition_keys(current_time=context.scheduled_execution_time):
        return dg.SkipReason(
            f"{day} is not a complete daily partition at {tick.isoformat()} (partitions are days in "
            f"{partitions.timezone} from {partitions.start.date()}); tick later in the day or set PIPELINE_TIMEZONE"
        )
    return dg.RunRequest(run_key=f"{prefix}:{day}", partition_key=day)


def _previous_day_schedule(name, job, cron_setting, status, description, prefix, cron, timezone):
    """One daily schedule asking for the day that just closed; the two below differ only in data."""
    tz = timezone or setting("PIPELINE_TIMEZONE")

    @dg.schedule(
        name=name,
        job=job,
        cron_schedule=cron or setting(cron_setting),
        execution_timezone=tz,
        default_status=status,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        return previous_day_request(context, tz, prefix)

    return _schedule


def build_ingest_schedule(cron: str | None = None, timezone: str | None = None) -> dg.ScheduleDefinition:
    """Daily ingest of every raw source; ``cron``/``timezone`` default to the env settings."""
    return _previous_day_schedule(
        "ingest_raw_schedule", ingest_job, "PIPELINE_INGEST_CRON", dg.DefaultScheduleStatus.RUNNING,
        "Loads the previous day's partition of every raw source.", "ingest", cron, timezone,
    )


def build_marts_schedule(cron: str | None = None, timezone: str | None = None) -> dg.ScheduleDefinition:
    """Daily `dbt build` of the marts for the previous day (off by default, see module docstring)."""
    return _previous_day_schedule(
        "build_marts_schedule", marts_job, "PIPELINE_MARTS_CRON", dg.DefaultScheduleStatus.STOPPED,
        "Rebuilds the dbt marts for the previous day (fallback to declarative automation).", "marts", cron, timezone,
    )
