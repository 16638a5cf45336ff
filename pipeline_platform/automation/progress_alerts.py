"""Run progress posts: "job X started" and "job X succeeded", for the jobs a team opts into.

Teams coming from Airflow are used to a channel that narrates the nightly pipeline. That is noise
for most jobs, so nothing posts until a ``run_start`` or ``run_success`` policy lists the job in
``jobs``. Like the failure alerts, this reads run status events itself (one mark per event type)
so undelivered posts wait in the cursor; the first tick starts from the newest event.
"""

from __future__ import annotations

import dagster as dg

from pipeline_platform.automation.alert_sensor import slack_alert_sensor
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.failure_alerts import status_changes_after
from pipeline_platform.automation.messages import run_progress_text
from pipeline_platform.automation.policies import Policies, load_policies
from pipeline_platform.automation.slack import PlatformSlack

BATCH = 100
EVENTS = {"run_start": dg.DagsterEventType.RUN_START, "run_success": dg.DagsterEventType.RUN_SUCCESS}
VERBS = {"run_start": "started", "run_success": "succeeded"}


def build_run_progress_sensor(slack: PlatformSlack, policies: Policies | None = None, minimum_interval_seconds: int = 30):
    policies = policies or load_policies()

    @slack_alert_sensor(
        slack,
        name="slack_run_progress",
        minimum_interval_seconds=minimum_interval_seconds,
        description="Run started / succeeded posts for the jobs listed in run_start / run_success alert policies.",
    )
    def slack_run_progress(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        wanted = {t: [p for p in policies.for_trigger(t) if p.options["jobs"]] for t in EVENTS}
        if not any(wanted.values()):
            return "no job opted in (list jobs in a run_start or run_success policy); {sent} sent"
        marks = state.mark if isinstance(state.mark, dict) else {}
        for trigger, event_type in EVENTS.items():
            if trigger not in marks:
                newest = status_changes_after(context.instance, event_type, None, 1)
                marks[trigger] = newest[0].storage_id if newest else 0
            for record in status_changes_after(context.instance, event_type, marks[trigger], BATCH):
                marks[trigger] = record.storage_id
                run = context.instance.get_run_by_id(record.run_id)
                for policy in wanted[trigger]:
                    if run is not None and run.job_name in policy.options["jobs"]:
                        text = run_progress_text(run, VERBS[trigger], policy.icon)
                        state.queue(f"{policy.name}:{run.run_id}", text, [policy.channel])
        state.mark = marks
        return "sent {sent} progress post(s); {pending} pending"

    return slack_run_progress
