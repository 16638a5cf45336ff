"""Asset-check alerts: a Slack message naming the check and the asset, for every failed ERROR check.

dbt tests arrive here too (dagster-dbt turns each test on a model into an asset check with the
test's severity). By default WARN-severity failures stay in the UI, as they are rarely worth a
page; a ``check_failure`` policy listing ``WARN`` in ``check_severities`` opts in.
"""

from __future__ import annotations

import dagster as dg

from pipeline_platform.automation.alert_sensor import slack_alert_sensor, start_from_newest
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.messages import check_failure_text, owners_of
from pipeline_platform.automation.policies import Policies, load_policies
from pipeline_platform.automation.slack import PlatformSlack

BATCH = 200


def _evaluations_after(instance: dg.DagsterInstance, after: int | None, limit: int):
    records_filter = dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=after)
    return instance.get_event_records(records_filter, limit=limit, ascending=after is not None)


def build_check_failure_alert_sensor(slack: PlatformSlack, policies: Policies | None = None, minimum_interval_seconds: int = 30):
    policies = policies or load_policies()

    @slack_alert_sensor(
        slack,
        name="slack_check_failure_alerts",
        minimum_interval_seconds=minimum_interval_seconds,
        description="Slack message for each failed asset check of ERROR (optionally WARN) severity, dbt tests included.",
    )
    def slack_check_failure_alerts(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        instance = context.instance
        graph = context.repository_def.asset_graph if context.repository_def else None
        start_from_newest(state, lambda: _evaluations_after(instance, None, 1))
        for record in _evaluations_after(instance, state.mark, BATCH):
            state.mark = record.storage_id
            evaluation = record.event_log_entry.dagster_event.event_specific_data
            if evaluation.passed:
                continue
            owners = owners_of(graph, [evaluation.asset_key])
            for policy in policies.for_trigger("check_failure"):
                if evaluation.severity.value in policy.options["check_severities"]:
                    text = check_failure_text(evaluation, record.run_id, owners, policy.icon)
                    alert_id = f"check:{record.storage_id}" + ("" if policy.name == "check-failure" else f":{policy.name}")
                    state.queue(alert_id, text, policy.channels(owners, policies.owner_channels))
        return "sent {sent} check alert(s); {pending} pending"

    return slack_check_failure_alerts
