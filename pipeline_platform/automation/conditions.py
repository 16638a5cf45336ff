"""Declarative automation for everything downstream of the raw loads, defined once for all layers.

Raw assets are started by the schedule and the landing sensor; from there the graph runs itself:
dbt models rebuild the partitions whose upstream updated (any day, so a late file for an old day
still reaches the marts), and the dashboard redeploys when a mart changed. Nothing is requested
while an upstream is running, failed its last run, or failed a blocking (error-severity) check,
because a half-built or failed upstream must not be published. External assets (the audit table)
are never materialized by Dagster, so they never count as "missing".
"""

from __future__ import annotations

import functools

import dagster as dg

from pipeline_platform.ingestion.assets import GROUP as RAW_GROUP

AC = dg.AutomationCondition




def upstream_healthy() -> dg.AutomationCondition:
    """No dependency in progress, failed, or with a failed blocking check."""
    broken = AC.execution_failed() | AC.any_checks_match(AC.check_failed(), blocking_only=True)
    return (
        ~AC.any_deps_in_progress()
        & ~AC.any_deps_match(broken).with_label("any_deps_failed")
        & ~AC.in_progress()
    )


@functools.cache
def dbt_model_condition(partitioned: bool = True) -> dg.AutomationCondition:
    """For every dbt model: rebuild each partition whose upstream updated; fill the newest day.

    One shared (immutable) instance per kind of model: Dagster snapshots a condition once per
    object, so a fresh copy per model made a 1,000-model code location spend seconds snapshotting it.
    An unpartitioned model reads every day of its raw upstreams at once, so a missing raw day is no
    reason to wait; a daily model waits for its own day's raw data.
    """
    trigger = ((AC.in_latest_time_window() & AC.newly_missing()) | AC.any_deps_updated()).since_last_handled()
    if not partitioned:
        return (trigger & upstream_healthy()).with_label("dbt_on_upstream_update")
    # Only a missing raw day blocks a model. dbt relations are not per-day (one view or table holds
    # every day), so a day that an upstream model never built for is no reason to wait; nor is an
    # external asset (the audit table), which Dagster never materializes.
    raw_missing = AC.any_deps_missing().allow(dg.AssetSelection.groups(RAW_GROUP))
    return (trigger & ~raw_missing & upstream_healthy()).with_label("dbt_on_upstream_update")


def deploy_condition() -> dg.AutomationCondition:
    """For the dashboard deploy: redeploy once any mart it reads updated and all are healthy.

    No "missing" guard: it reads every partition of the marts, and one never-built historic day
    must not block deploys forever.
    """
    trigger = (AC.newly_missing() | AC.any_deps_updated()).since_last_handled()
    return (trigger & upstream_healthy()).with_label("deploy_on_mart_update")


def automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """The one sensor that evaluates every asset's condition (RUNNING: the graph must self-drive)."""
    return dg.AutomationConditionSensorDefinition(
        "automation_condition_sensor",
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description="Requests dbt models and the dashboard deploy when their upstream updated.",
    )
