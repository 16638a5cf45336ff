"""Alert texts, built from the instance's records so a message answers "what broke, how bad, where".

A run-failure message names the job (or asset selection) and partition, the failed steps and the
assets they did not produce, how many assets downstream are now stale, the first lines of the
error, and a link to the run in the webserver.
"""

from __future__ import annotations

import dagster as dg
from dagster._core.events import DagsterEventType as ET

from pipeline_platform.automation.settings import run_url

ERROR_LINES = 6


def error_lines(error, limit: int = ERROR_LINES) -> list[str]:
    """First lines of a SerializableErrorInfo, following ``cause`` to reach the user's exception."""
    lines: list[str] = []
    while error is not None and len(lines) < limit:
        lines += [line for line in (error.message or "").splitlines() if line.strip()]
        error = error.cause
    return [line[:300] for line in lines[:limit]]


def _keys(keys) -> str:
    names = sorted(k.to_user_string() for k in keys)
    return ", ".join(names[:10]) + (f" (+{len(names) - 10} more)" if len(names) > 10 else "") or "none"


def stale_downstream(graph, failed: set[dg.AssetKey]) -> int:
    known = [k for k in failed if graph.has(k)]
    if not known:
        return 0
    return len(dg.AssetSelection.assets(*known).downstream(include_self=False).resolve(graph) - failed)


def run_failure_text(instance: dg.DagsterInstance, run, graph) -> str:
    records = instance.get_records_for_run(
        run.run_id,
        of_type={ET.STEP_FAILURE, ET.ASSET_MATERIALIZATION_PLANNED, ET.ASSET_MATERIALIZATION, ET.RUN_FAILURE},
    ).records
    steps, planned, done, errors, run_error = [], set(), set(), [], []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event.event_type == ET.STEP_FAILURE:
            steps.append(event.step_key)
            errors += error_lines(event.step_failure_data.error)
        elif event.event_type == ET.ASSET_MATERIALIZATION_PLANNED:
            planned.add(event.asset_key)
        elif event.event_type == ET.ASSET_MATERIALIZATION:
            done.add(event.asset_key)
        else:
            data = event.event_specific_data
            run_error = error_lines(getattr(data, "error", None)) or [event.message or ""]
    failed = (planned - done) or set(run.asset_selection or ())
    target = f"job `{run.job_name}`"
    if run.asset_selection and run.job_name.startswith("__"):
        target = f"assets `{_keys(run.asset_selection)}`"
    partition = run.tags.get("dagster/partition") or "-".join(
        filter(None, [run.tags.get("dagster/asset_partition_range_start"), run.tags.get("dagster/asset_partition_range_end")])
    )
    lines = [f":red_circle: *Run failed*: {target}" + (f", partition `{partition}`" if partition else "")]
    if run.root_run_id and run.root_run_id != run.run_id:
        lines.append(f"Final attempt (retry {run.tags.get('dagster/retry_number', '?')}) of run `{run.root_run_id[:8]}`")
    lines.append(f"Failed steps: {', '.join(f'`{s}`' for s in steps) or 'none (run-level failure)'}")
    lines.append(f"Failed assets: {_keys(failed)}")
    lines.append(f"Stale downstream assets: {stale_downstream(graph, failed) if graph else 'unknown'}")
    lines.append("```" + "\n".join((errors or run_error)[:ERROR_LINES]) + "```")
    lines.append(f"<{run_url(run.run_id)}|Open run {run.run_id[:8]}> {run_url(run.run_id)}")
    return "\n".join(lines)


def check_failure_text(evaluation, run_id: str) -> str:
    desc = (evaluation.description or "").strip().splitlines()[:3]
    return "\n".join(
        [
            f":warning: *Asset check failed*: `{evaluation.check_name}` on `{evaluation.asset_key.to_user_string()}` "
            f"(severity {evaluation.severity.value})",
            *desc,
            f"<{run_url(run_id)}|Open run {run_id[:8]}> {run_url(run_id)}",
        ]
    )
