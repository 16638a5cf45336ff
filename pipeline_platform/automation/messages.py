"""Alert texts, built from the instance's records so a message answers "what broke, how bad, where".

A run-failure message names the job (or asset selection) and partition, the failed steps and the
assets they did not produce, how many assets downstream are now stale, the first lines of the
error, the assets' owners and links to the run and the assets in the webserver. Every other
trigger's message (docs/alerts.md shows one of each) has the same parts where they apply: the
policy's severity icon, what happened, who owns it, and a link.
"""

from __future__ import annotations

import dagster as dg

from pipeline_platform.automation.settings import asset_url, run_url, webserver_url

ET = dg.DagsterEventType

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


def owners_of(graph, keys) -> list[str]:
    """Owners of the assets (as declared on them, dbt ``meta.owner`` included), sorted."""
    if graph is None:
        return []
    return sorted({o for k in keys if graph.has(k) for o in (graph.get(k).owners or ())})


def asset_links(keys, limit: int = 3) -> str:
    return " ".join(f"<{asset_url(k.path)}|{k.to_user_string()}>" for k in sorted(keys, key=lambda k: k.path)[:limit])


def _owner_line(owners: list[str]) -> list[str]:
    return [f"Owner: {', '.join(owners)}"] if owners else []


def run_failure_text(instance: dg.DagsterInstance, run, graph, icon: str = ":red_circle:") -> tuple[str, list[str]]:
    """The message and the owners of the failed assets (for owner routing)."""
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
    owners = owners_of(graph, failed)
    lines = [f"{icon} *Run failed*: {target}" + (f", partition `{partition}`" if partition else "")]
    if run.root_run_id and run.root_run_id != run.run_id:
        lines.append(f"Final attempt (retry {run.tags.get('dagster/retry_number', '?')}) of run `{run.root_run_id[:8]}`")
    lines.append(f"Failed steps: {', '.join(f'`{s}`' for s in steps) or 'none (run-level failure)'}")
    lines.append(f"Failed assets: {_keys(failed)}")
    lines.append(f"Stale downstream assets: {stale_downstream(graph, failed) if graph else 'unknown'}")
    lines += _owner_line(owners)
    lines.append("```" + "\n".join((errors or run_error)[:ERROR_LINES]) + "```")
    if failed:
        lines.append(f"Assets: {asset_links(failed)}")
    lines.append(f"<{run_url(run.run_id)}|Open run {run.run_id[:8]}> {run_url(run.run_id)}")
    return "\n".join(lines), owners


def check_failure_text(evaluation, run_id: str, owners: list[str] = (), icon: str = ":warning:") -> str:
    desc = (evaluation.description or "").strip().splitlines()[:3]
    return "\n".join(
        [
            f"{icon} *Asset check failed*: `{evaluation.check_name}` on `{evaluation.asset_key.to_user_string()}` "
            f"(severity {evaluation.severity.value})",
            *desc,
            *_owner_line(list(owners)),
            f"Asset: {asset_links([evaluation.asset_key])}",
            f"<{run_url(run_id)}|Open run {run_id[:8]}> {run_url(run_id)}",
        ]
    )


def run_progress_text(run, verb: str, icon: str) -> str:
    partition = run.tags.get("dagster/partition")
    return "\n".join([
        f"{icon} *Run {verb}*: job `{run.job_name}`" + (f", partition `{partition}`" if partition else ""),
        f"<{run_url(run.run_id)}|Open run {run.run_id[:8]}> {run_url(run.run_id)}",
    ])


def freshness_text(key: dg.AssetKey, level: str, age: str, window: str, owners: list[str], icon: str) -> str:
    head = {
        "warn": f"{icon} *Asset getting stale* (freshness warn)",
        "fail": ":red_circle: *Asset stale* (freshness fail)",
        "fresh": ":large_green_circle: *Asset fresh again*",
    }[level]
    detail = f"last materialized {age} ago" + (f", {level} window {window}" if level != "fresh" else "")
    return "\n".join([f"{head}: `{key.to_user_string()}`, {detail}", *_owner_line(owners), f"Asset: {asset_links([key])}"])


def long_run_text(run, minutes: float, threshold: float, icon: str) -> str:
    return "\n".join([
        f"{icon} *Run still going*: job `{run.job_name}` has run {minutes:.0f} min (threshold {threshold:g} min)",
        f"<{run_url(run.run_id)}|Open run {run.run_id[:8]}> {run_url(run.run_id)}",
    ])


def tick_failure_text(name: str, kind: str, error, icon: str) -> str:
    lines = error_lines(error) or ["(no error recorded)"]
    return "\n".join([
        f"{icon} *{kind.capitalize()} tick failed*: `{name}`; later failures of this {kind} will not post again until it recovers",
        "```" + "\n".join(lines) + "```",
        f"<{webserver_url('overview/automation')}|Open automation>",
    ])


def location_error_text(name: str, error: str, icon: str) -> str:
    lines = [line for line in error.splitlines() if line.strip()][-ERROR_LINES:]
    return "\n".join([
        f"{icon} *Code location failed to load*: `{name}`; its schedules, sensors and alerts are not running",
        "```" + "\n".join(line[:300] for line in lines) + "```",
        f"<{webserver_url('locations')}|Open code locations>",
    ])


def daemon_down_text(kinds: list[str], seconds: float, icon: str) -> str:
    return (
        f"{icon} *Dagster daemon heartbeat lost*: no heartbeat for over {seconds:g}s from {', '.join(kinds)}; "
        "schedules, sensors (these alerts included) and queued runs are stopped"
    )


def recovery_text(what: str) -> str:
    return f":large_green_circle: *Recovered*: {what}"

