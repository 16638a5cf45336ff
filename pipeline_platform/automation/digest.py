"""Optional daily Slack digest: runs, failures and freshness violations of the last 24 hours.

Off by default (``STOPPED``): failures already alert one by one, and a daily summary is a team
preference. Sent once per day at or after ``PIPELINE_DIGEST_HOUR`` (default 8) in
``PIPELINE_TIMEZONE``; the cursor remembers the day, and an undelivered digest stays pending.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.events import DagsterEventType

from pipeline_platform.automation.alert_sensor import slack_alert_sensor
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.settings import setting
from pipeline_platform.automation.slack import PlatformSlack


def digest_text(instance: dg.DagsterInstance, now: datetime) -> str:
    since = now - timedelta(hours=24)
    runs = instance.get_run_records(dg.RunsFilter(created_after=since))
    failed = [r.dagster_run for r in runs if r.dagster_run.status == dg.DagsterRunStatus.FAILURE]
    changes = instance.get_event_records(
        dg.EventRecordsFilter(event_type=DagsterEventType.FRESHNESS_STATE_CHANGE, after_timestamp=since.timestamp())
    )
    stale = sorted({
        c.event_log_entry.dagster_event.event_specific_data.key.to_user_string()
        for c in changes
        if c.event_log_entry.dagster_event.event_specific_data.new_state == FreshnessState.FAIL
    })
    return "\n".join([
        f":bar_chart: *Pipeline digest* for the 24h to {now:%Y-%m-%d %H:%M %Z}",
        f"Runs: {len(runs)}, failed: {len(failed)}" + (f" ({', '.join(sorted({r.job_name for r in failed}))})" if failed else ""),
        f"Freshness violations: {len(stale)}" + (f" ({', '.join(stale[:10])})" if stale else ""),
    ])


def build_digest_sensor(slack: PlatformSlack, hour: int | None = None):
    @slack_alert_sensor(
        slack,
        name="slack_daily_digest",
        minimum_interval_seconds=600,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Once a day: runs, failures and freshness violations of the last 24h, to Slack.",
    )
    def slack_daily_digest(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        now = datetime.now(ZoneInfo(setting("PIPELINE_TIMEZONE")))
        due_hour = hour if hour is not None else int(os.environ.get("PIPELINE_DIGEST_HOUR") or 8)
        today = now.date().isoformat()
        if now.hour >= due_hour and state.mark != today:
            state.queue(f"digest:{today}", digest_text(context.instance, now))
            state.mark = today
        return "sent {sent} digest(s); next after " + f"{due_hour}:00 {now.tzinfo}"

    return slack_daily_digest
