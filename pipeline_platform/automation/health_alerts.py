"""Alerts on conditions rather than events: stale assets, runs that go on too long, failing ticks.

Self-hosted Dagster alerts on failed runs only; Dagster+ alert policies also cover freshness (warn
and fail), long-running runs and schedule or sensor tick failures. These hold on every tick until
someone acts, so each is an *incident* in the sensor cursor (``AlertState.reconcile``): one message
when it opens or worsens, one when it recovers, nothing in between. Freshness is evaluated here
from each asset's time-window ``FreshnessPolicy`` and its last materialization, so it needs no
extra daemon; ``clock`` exists for tests, which cannot wait out Dagster's one-minute minimum window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import dagster as dg

from pipeline_platform.automation.alert_sensor import slack_alert_sensor
from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.dagster_internals import TickStatus, freshness_windows, latest_ticks
from pipeline_platform.automation.messages import (
    freshness_text,
    long_run_text,
    owners_of,
    recovery_text,
    tick_failure_text,
)
from pipeline_platform.automation.policies import Policies, load_policies
from pipeline_platform.automation.slack import PlatformSlack


def _span(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


def freshness_levels(instance: dg.DagsterInstance, graph, now: float) -> dict[dg.AssetKey, tuple[str, float, float]]:
    """Asset key -> (level "fresh" / "warn" / "fail", age in seconds, window crossed), for every
    asset with a time-window freshness policy that has been materialized at least once."""
    levels = {}
    for key in graph.get_all_asset_keys() if graph else ():
        windows = freshness_windows(graph.get(key).freshness_policy)
        if windows is None:
            continue
        latest = instance.get_latest_materialization_event(key)
        if latest is None:  # never built: unknown, not stale (Dagster's own view too)
            continue
        fail, warn = windows
        age = now - latest.timestamp
        if age > fail.total_seconds():
            levels[key] = ("fail", age, fail.total_seconds())
        elif warn is not None and age > warn.total_seconds():
            levels[key] = ("warn", age, warn.total_seconds())
        else:
            levels[key] = ("fresh", age, 0.0)
    return levels


def stale_assets(instance: dg.DagsterInstance, graph, now: float) -> dict[dg.AssetKey, str]:
    """Assets past a freshness window: key -> "warn" or "fail" (the digest's view)."""
    return {k: level for k, (level, _, _) in freshness_levels(instance, graph, now).items() if level != "fresh"}


def build_health_alert_sensor(slack: PlatformSlack, policies: Policies | None = None,
                              minimum_interval_seconds: int = 60, clock: Callable[[], float] = time.time):
    policies = policies or load_policies()

    @slack_alert_sensor(
        slack,
        name="slack_health_alerts",
        minimum_interval_seconds=minimum_interval_seconds,
        description="Freshness warn/fail and recovery, runs past a time threshold, failing schedule and sensor ticks: one message per incident.",
    )
    def slack_health_alerts(context: dg.SensorEvaluationContext, state: AlertState) -> str:
        instance, now = context.instance, clock()
        graph = context.repository_def.asset_graph if context.repository_def else None
        opened = 0

        levels = freshness_levels(instance, graph, now) if policies.for_trigger("freshness") else {}
        names = {k.to_user_string(): k for k in levels}
        for policy in policies.for_trigger("freshness"):
            watched = {n: levels[k][0] for n, k in names.items() if levels[k][0] in policy.options["levels"]}
            changed, recovered = state.reconcile(policy.name, watched)
            for name in changed + recovered:
                key = names.get(name) or dg.AssetKey.from_user_string(name)
                level, age, window = levels.get(key, ("fresh", 0.0, 0.0))
                level = level if name in changed else "fresh"
                owners = owners_of(graph, [key])
                text = freshness_text(key, level, _span(age), _span(window), owners, policy.icon)
                state.queue(f"{policy.name}:{name}:{level}:{now:.0f}", text, policy.channels(owners, policies.owner_channels))
            opened += len(changed)

        long_policies = policies.for_trigger("long_run")
        running = instance.get_run_records(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])) if long_policies else []
        for policy in long_policies:
            limit = policy.options["threshold_minutes"] * 60
            late = {r.dagster_run.run_id: r for r in running if r.start_time and now - r.start_time > limit}
            changed, _ = state.reconcile(policy.name, {run_id: "long" for run_id in late})
            for run_id in changed:
                record = late[run_id]
                text = long_run_text(record.dagster_run, (now - record.start_time) / 60, policy.options["threshold_minutes"], policy.icon)
                state.queue(f"{policy.name}:{run_id}", text, [policy.channel])
            opened += len(changed)

        tick_policies = policies.for_trigger("tick_failure")
        ticks = list(latest_ticks(instance)) if tick_policies else []
        for policy in tick_policies:
            failing = {f"{kind}:{name}": tick for name, kind, tick in ticks if tick.status == TickStatus.FAILURE}
            changed, recovered = state.reconcile(policy.name, {key: "failed" for key in failing})
            for key in changed:
                kind, name = key.split(":", 1)
                text = tick_failure_text(name, kind, failing[key].error, policy.icon)
                state.queue(f"{policy.name}:{key}:{failing[key].tick_id}", text, [policy.channel])
            for key in recovered:
                kind, name = key.split(":", 1)
                state.queue(f"{policy.name}:{key}:ok:{now:.0f}", recovery_text(f"{kind} `{name}` ticks without error again"), [policy.channel])
            opened += len(changed)

        return f"{opened} incident(s) opened or changed; " + "sent {sent}; {pending} pending"

    return slack_health_alerts
