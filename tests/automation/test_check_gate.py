"""Issue 20: automation holds back downstream of a failed error-severity (blocking) check, and only that.

dbt tests of severity error become blocking asset checks (dagster-dbt), so a model that built but
failed such a test must not be published downstream: ``upstream_healthy`` in
``automation/conditions.py`` refuses while a dependency's latest blocking check failed, and a
rerun whose check passes releases it. A failed warn-severity check (like the loads'
``extract_keys_unique``) is a notice and holds nothing back. Evaluated with the platform's own
``deploy_condition`` on a real instance, ticking as the automation sensor does.
"""

from __future__ import annotations

import dagster as dg
import pytest

from pipeline_platform.automation.conditions import deploy_condition

OUTCOME = {"tests_pass": True, "notice_passes": True}


@dg.asset
def mart(): ...


@dg.asset_check(asset=mart, blocking=True, description="a dbt test of severity error")
def mart_not_null():
    return dg.AssetCheckResult(passed=OUTCOME["tests_pass"])


@dg.asset_check(asset=mart, description="a warn-severity notice")
def mart_drift_notice():
    return dg.AssetCheckResult(passed=OUTCOME["notice_passes"], severity=dg.AssetCheckSeverity.WARN)


@dg.asset(deps=[mart], automation_condition=deploy_condition())
def deploy(): ...


DEFS = dg.Definitions(assets=[mart, deploy], asset_checks=[mart_not_null, mart_drift_notice])


class Ticker:
    def __init__(self, instance):
        self.instance, self.cursor = instance, None

    def __call__(self) -> set[str]:
        result = dg.evaluate_automation_conditions(defs=DEFS, instance=self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        return {r.key.to_user_string() for r in result.results if r.true_subset.size}


def build_mart(instance, tests_pass: bool, notice_passes: bool = True) -> dg.ExecuteInProcessResult:
    OUTCOME.update(tests_pass=tests_pass, notice_passes=notice_passes)
    result = dg.materialize([mart, mart_not_null, mart_drift_notice], instance=instance, raise_on_error=False)
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [mart.key]  # the model built
    return result


@pytest.fixture(autouse=True)
def _reset():
    yield
    OUTCOME.update(tests_pass=True, notice_passes=True)


def test_a_failed_blocking_check_holds_the_deploy_until_a_passing_rerun(instance):
    tick = Ticker(instance)
    tick()
    failed = build_mart(instance, tests_pass=False)
    assert [e.passed for e in failed.get_asset_check_evaluations() if e.check_name == "mart_not_null"] == [False]
    assert tick() == set()
    assert tick() == set()  # still held on the next tick: nothing changed
    build_mart(instance, tests_pass=True)
    assert tick() == {"deploy"}


def test_a_failed_warn_check_holds_nothing_back(instance):
    tick = Ticker(instance)
    tick()
    result = build_mart(instance, tests_pass=True, notice_passes=False)
    assert [e.passed for e in result.get_asset_check_evaluations() if e.check_name == "mart_drift_notice"] == [False]
    assert tick() == {"deploy"}
