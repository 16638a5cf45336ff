"""The Dagster internals the alerts use (``automation/dagster_internals.py``) still exist and behave.

Each assertion names what changed, so a Dagster upgrade that breaks the fence fails here with the
reason instead of silently muting an alert. Also: no other automation module imports internals.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dagster as dg

from pipeline_platform.automation import dagster_internals as internals

AUTOMATION = Path(internals.__file__).parent
PRIVATE = re.compile(r"^\s*(from|import)\s+dagster(_\w+)?\._|^\s*from\s+dagster_dbt\.core", re.M)


def test_written_for_this_dagster_minor():
    assert dg.__version__.startswith(internals.WRITTEN_FOR + "."), (
        f"dagster_internals.py was checked against Dagster {internals.WRITTEN_FOR}, installed is {dg.__version__}: "
        "re-check tick statuses, run-retry tags, heartbeats, freshness windows and the key-value store, then bump WRITTEN_FOR"
    )


def test_tick_and_instigator_enums():
    assert {s.name for s in internals.TickStatus} >= {"STARTED", "SKIPPED", "SUCCESS", "FAILURE"}, "TickStatus members changed"
    assert {t.value.lower() for t in internals.InstigatorType} >= {"schedule", "sensor"}, "InstigatorType values changed"


def test_run_retry_tags_still_have_their_values():
    assert internals.WILL_RETRY_TAG == "dagster/will_retry", "the will-retry tag was renamed: failure alerts would alert per retry"
    assert internals.PARENT_RUN_ID_TAG == "dagster/parent_run_id", "the parent-run tag was renamed"


def test_freshness_windows_are_read_from_a_time_window_policy():
    policy = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2), warn_window=timedelta(hours=1))
    assert internals.freshness_windows(policy) == (timedelta(hours=2), timedelta(hours=1)), (
        "TimeWindowFreshnessPolicy no longer has fail_window/warn_window: freshness alerts are silent"
    )
    assert internals.freshness_windows(dg.FreshnessPolicy.cron(deadline_cron="0 9 * * *", lower_bound_delta=timedelta(hours=1))) is None


def test_key_value_store_heartbeats_and_ticks_on_an_instance():
    with dg.instance_for_test() as instance:
        internals.kv_set(instance, "pipeline_platform/test", "{}")
        assert internals.kv_get(instance, "pipeline_platform/test") == "{}", "the instance key-value store changed"
        beats = internals.daemon_heartbeats(instance)
        assert beats and set(beats.values()) == {0.0}, "required daemon types or heartbeats changed"
        assert list(internals.latest_ticks(instance)) == []


def test_no_other_automation_module_imports_dagster_internals():
    offenders = [p.name for p in AUTOMATION.glob("*.py") if p.name != "dagster_internals.py" and PRIVATE.search(p.read_text())]
    assert offenders == [], f"private Dagster imports outside the fence: {offenders}"
