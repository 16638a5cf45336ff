"""The Dagster internals the alerts rely on, fenced in one module because no public API has them.

Tick history (``TickStatus``, ``InstigatorType``), the run-retry tags, daemon heartbeats, the
freshness policy's windows and the instance's key-value store are what Dagster+ alert policies are
built from, but Dagster exports none of them. Everything else in ``automation/`` uses ``dagster``'s
public names only. ``WRITTEN_FOR`` is the Dagster minor version this was checked against;
``tests/automation/test_dagster_internals.py`` fails, naming the missing piece, when an upgrade
moves or changes one of these.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
from dagster._core.scheduler.instigation import InstigatorType, TickStatus
from dagster._core.storage.tags import PARENT_RUN_ID_TAG, WILL_RETRY_TAG

WRITTEN_FOR = "1.13"

__all__ = [
    "PARENT_RUN_ID_TAG", "WILL_RETRY_TAG", "InstigatorType", "TickStatus", "WRITTEN_FOR",
    "daemon_heartbeats", "freshness_windows", "kv_get", "kv_set", "latest_ticks",
]


def latest_ticks(instance: dg.DagsterInstance):
    """(name, kind, newest finished tick) for every running schedule and sensor.

    A tick still in progress is passed over: read mid-evaluation, it would look like a recovery.
    Stopped ones are too: their last failure, however old, is not news."""
    finished = [TickStatus.SUCCESS, TickStatus.SKIPPED, TickStatus.FAILURE]
    for state in instance.all_instigator_state():
        if not state.is_running:
            continue
        ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1, statuses=finished)
        if ticks:
            yield state.instigator_name, state.instigator_type.value.lower(), ticks[0]


def daemon_heartbeats(instance: dg.DagsterInstance) -> dict[str, float]:
    """Daemon type -> timestamp of its newest heartbeat, for the daemons this instance needs."""
    beats = instance.get_daemon_heartbeats()
    return {kind: beats[kind].timestamp if kind in beats else 0.0 for kind in instance.get_required_daemon_types()}


def freshness_windows(policy) -> tuple[timedelta, timedelta | None] | None:
    """(fail, warn) windows of a time-window ``FreshnessPolicy``; None for cron and legacy ones."""
    fail = getattr(policy, "fail_window", None)
    if fail is None:
        return None
    warn = getattr(policy, "warn_window", None)
    return fail.to_timedelta(), warn.to_timedelta() if warn is not None else None


def kv_get(instance: dg.DagsterInstance, key: str) -> str | None:
    return instance.daemon_cursor_storage.get_cursor_values({key}).get(key)


def kv_set(instance: dg.DagsterInstance, key: str, value: str) -> None:
    instance.daemon_cursor_storage.set_cursor_values({key: value})
