"""Asset-check alerts: a Slack message naming the check and the asset, for every failed ERROR check.

dbt tests arrive here too (dagster-dbt turns each test on a model into an asset check with the
test's severity). WARN-severity failures stay in the UI; they are not worth a page.
"""

from __future__ import annotations

import dagster as dg
from dagster._core.events import DagsterEventType

from pipeline_platform.automation.alert_sensor import slack_alert_sensor, start_from_newest
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.slack import PlatformSlack
from pipeline_platform.automation.messages import check_failure_text

BATCH = 200


def _evaluations_after(instance: dg.DagsterInstance, after: int | None, limit: int):
    records_filter = dg.EventRecordsFilter(event_type=DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=after)
    return instance.get_event_records(records_filter, limit=limit, ascending=after is not None)


def build_check_failure_alert_sensor(slack: PlatformSlack, minimum_interval_seconds: int = 30):
    @slack_alert_sensor(
        slack,
        name="slack_check_failure_alerts",
        minimum_interval_seconds=minimum_interval_seconds,
        description="Slack message for each failed asset check of ERROR severity (dbt tests included).",
    )
    def slack_check_failure_alerts(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        instance = context.instance
        start_from_newest(state, lambda: _evaluations_after(instance, None, 1))
        for record in _evaluations_after(instance, state.mark, BATCH):
            state.mark = record.storage_id
            evaluation = record.event_log_entry.dagster_event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                state.queue(f"check:{record.storage_id}", check_failure_text(evaluation, record.run_id))
        return "sent {sent} check alert(s); {pending} pending"

    return slack_check_failure_alerts
