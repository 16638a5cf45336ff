"""Optional daily Slack digest: the last 24 hours of runs, and the asset health right now.

Off by default (``STOPPED``): failures already alert one by one, and a daily summary is a team
preference. Besides run counts it lists what is still wrong, the asset-health view Dagster's own
team builds for its production repo: assets past a freshness window, checks whose latest result
failed, and failed runs no later run of the same job and partition has made good. Sent once per day
at or after ``PIPELINE_DIGEST_HOUR`` (default 8) in ``PIPELINE_TIMEZONE``; the cursor remembers the
day, and an undelivered digest stays pending.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from pipeline_platform.automation.alert_sensor import slack_alert_sensor
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.health_alerts import stale_assets
from pipeline_platform.automation.settings import setting
from pipeline_platform.automation.slack import PlatformSlack

LOOKBACK_DAYS = 7  # how far back a failed run may still be "never recovered"
CHECK_EVENTS = 2000
LISTED = 10


def _listed(names: list[str]) -> str:
    return f" ({', '.join(names[:LISTED])}{f' +{len(names) - LISTED} more' if len(names) > LISTED else ''})" if names else ""


def failing_checks(instance: dg.DagsterInstance) -> list[str]:
    """``asset:check`` of every check whose latest evaluation failed."""
    records = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=CHECK_EVENTS, ascending=False
    )
    latest: dict[tuple[str, str], bool] = {}
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        latest.setdefault((evaluation.asset_key.to_user_string(), evaluation.check_name), evaluation.passed)
    return sorted(f"{asset}:{check}" for (asset, check), passed in latest.items() if not passed)


def _assets_of(instance: dg.DagsterInstance, run) -> tuple[str, ...]:
    """The assets a run targets: its selection, or (for ``materialize`` runs) those it planned."""
    keys = run.asset_selection
    if not keys and run.job_name.startswith("__"):
        planned = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
        keys = {r.event_log_entry.dagster_event.asset_key for r in planned}
    return tuple(sorted(k.to_user_string() for k in keys or ()))


def unrecovered_failures(instance: dg.DagsterInstance, now: datetime) -> list[str]:
    """Failed runs with no later successful run of the same job, partition and assets."""
    records = instance.get_run_records(dg.RunsFilter(created_after=now - timedelta(days=LOOKBACK_DAYS)))
    recovered, failed = set(), {}
    for record in sorted(records, key=lambda r: r.create_timestamp, reverse=True):  # newest first
        run = record.dagster_run
        if run.status not in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE):
            continue
        assets = _assets_of(instance, run)
        target = (run.job_name, run.tags.get("dagster/partition", ""), assets)
        if run.status == dg.DagsterRunStatus.SUCCESS:
            recovered.add(target)
        elif target not in recovered and target not in failed:
            label = ",".join(assets[:3]) if run.job_name.startswith("__") and assets else run.job_name
            failed[target] = label + (f"[{target[1]}]" if target[1] else "") + f" {run.run_id[:8]}"
    return sorted(failed.values())


def digest_text(instance: dg.DagsterInstance, now: datetime, graph=None) -> str:
    since = now - timedelta(hours=24)
    runs = instance.get_run_records(dg.RunsFilter(created_after=since))
    failed = [r.dagster_run for r in runs if r.dagster_run.status == dg.DagsterRunStatus.FAILURE]
    stale = stale_assets(instance, graph, now.timestamp())
    stale_names = sorted(f"{k.to_user_string()} ({level})" for k, level in stale.items())
    checks, unrecovered = failing_checks(instance), unrecovered_failures(instance, now)
    return "\n".join([
        f":bar_chart: *Pipeline digest* for the 24h to {now:%Y-%m-%d %H:%M %Z}",
        f"Runs: {len(runs)}, failed: {len(failed)}" + _listed(sorted({r.job_name for r in failed})),
        "*Asset health now*",
        f"Stale assets: {len(stale_names)}" + _listed(stale_names),
        f"Failing checks: {len(checks)}" + _listed(checks),
        f"Failed runs never recovered: {len(unrecovered)}" + _listed(unrecovered),
    ])


def build_digest_sensor(slack: PlatformSlack, hour: int | None = None):
    @slack_alert_sensor(
        slack,
        name="slack_daily_digest",
        minimum_interval_seconds=600,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Once a day: runs and failures of the last 24h, stale assets, failing checks and unrecovered failures, to Slack.",
    )
    def slack_daily_digest(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        now = datetime.now(ZoneInfo(setting("PIPELINE_TIMEZONE")))
        due_hour = hour if hour is not None else int(setting("PIPELINE_DIGEST_HOUR"))
        today = now.date().isoformat()
        if now.hour >= due_hour and state.mark != today:
            graph = context.repository_def.asset_graph if context.repository_def else None
            state.queue(f"digest:{today}", digest_text(context.instance, now, graph))
            state.mark = today
        return "sent {sent} digest(s); next after " + f"{due_hour}:00 {now.tzinfo}"

    return slack_daily_digest
