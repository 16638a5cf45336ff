"""Run-failure alerts: one Slack message per *final* failure, never one per retry attempt.

A failed run that Dagster will retry carries ``dagster/will_retry=true`` and is parked in
``waiting``: if its retry (a run tagged ``dagster/parent_run_id`` = it) starts, the retry will
report; if none starts within the grace period (retries disabled, daemon down) it alerts then. This
reads RUN_FAILURE events itself instead of using ``@run_failure_sensor`` so that undelivered
messages can live in the cursor. The first tick starts from "now": no flood of historic failures.
Each ``run_failure`` policy posts one message per failed run, to its channel or, routed by owner,
to the channels of the failed assets' owners.
"""

from __future__ import annotations

import time

import dagster as dg

from pipeline_platform.automation.alert_sensor import slack_alert_sensor, start_from_newest
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.dagster_internals import PARENT_RUN_ID_TAG, WILL_RETRY_TAG
from pipeline_platform.automation.messages import run_failure_text
from pipeline_platform.automation.policies import Policies, load_policies
from pipeline_platform.automation.slack import PlatformSlack

BATCH = 100


def status_changes_after(instance: dg.DagsterInstance, event_type: dg.DagsterEventType, after: int | None, limit: int):
    """Run status events of one type after a storage id (the newest one when ``after`` is None)."""
    records_filter = dg.RunStatusChangeRecordsFilter(event_type=event_type, after_storage_id=after)
    return instance.fetch_run_status_changes(records_filter, limit=limit, ascending=after is not None).records


def _failures_after(instance: dg.DagsterInstance, after: int | None, limit: int):
    return status_changes_after(instance, dg.DagsterEventType.RUN_FAILURE, after, limit)


def build_run_failure_alert_sensor(slack: PlatformSlack, policies: Policies | None = None,
                                   retry_grace_seconds: float = 600, minimum_interval_seconds: int = 30):
    policies = policies or load_policies()

    def queue(state: AlertState, instance, run, graph, note: str = "") -> None:
        for policy in policies.for_trigger("run_failure"):
            text, owners = run_failure_text(instance, run, graph, policy.icon)
            alert_id = run.run_id if policy.name == "run-failure" else f"{policy.name}:{run.run_id}"
            state.queue(alert_id, text + note, policy.channels(owners, policies.owner_channels))

    @slack_alert_sensor(
        slack,
        name="slack_run_failure_alerts",
        minimum_interval_seconds=minimum_interval_seconds,
        description="One Slack message per finally-failed run (after retries), with link and error.",
    )
    def slack_run_failure_alerts(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        instance = context.instance
        graph = context.repository_def.asset_graph if context.repository_def else None
        start_from_newest(state, lambda: _failures_after(instance, None, 1))
        for record in _failures_after(instance, state.mark, BATCH):
            state.mark = record.storage_id
            run = instance.get_run_by_id(record.run_id)
            if run is None:
                continue
            if run.tags.get(WILL_RETRY_TAG) == "true":
                state.waiting.setdefault(run.run_id, time.time())
            else:
                queue(state, instance, run, graph)
        for run_id, since in list(state.waiting.items()):
            if instance.get_run_ids(dg.RunsFilter(tags={PARENT_RUN_ID_TAG: run_id}), limit=1):
                del state.waiting[run_id]
            elif time.time() - since > retry_grace_seconds:
                del state.waiting[run_id]
                run = instance.get_run_by_id(run_id)
                if run:
                    queue(state, instance, run, graph, f"\n_(marked for retry, but no retry started in {retry_grace_seconds:.0f}s)_")
        return "sent {sent} alert(s); {pending} pending, {waiting} awaiting retry"

    return slack_run_failure_alerts
