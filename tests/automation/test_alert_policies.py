"""Alert policy file: defaults for every trigger, owner routing, and errors that name the line."""

from __future__ import annotations

import dagster as dg
import pytest

from pipeline_platform.automation.definitions import automation_defs
from pipeline_platform.automation.failure_alerts import build_run_failure_alert_sensor
from pipeline_platform.automation.policies import TRIGGERS, AlertPolicyError, load_policies
from pipeline_platform.automation.slack import PlatformSlack
from tests.automation.test_slack_alerts import Ticker

SLACK = PlatformSlack(token=dg.EnvVar("SLACK_BOT_TOKEN"), backoff_seconds=0.05, max_wait_seconds=3)


def write(tmp_path, text: str):
    path = tmp_path / "alert_policies.yaml"
    path.write_text(text)
    return path


def test_shipped_file_has_a_policy_for_every_trigger():
    policies = load_policies()
    assert {p.trigger for p in policies.policies} == set(TRIGGERS)
    [long_run] = policies.for_trigger("long_run")
    assert long_run.options["threshold_minutes"] == 24 * 60
    [check] = policies.for_trigger("check_failure")
    assert check.options["check_severities"] == ["ERROR"]


@pytest.mark.parametrize("text, line, cause", [
    ("policies:\n  - trigger: run_failure\n    severity: loud\n", 3, "severity must be one of"),
    ("policies:\n  - trigger: run_faliure\n", 2, "unknown trigger 'run_faliure'"),
    ("policies:\n  - trigger: long_run\n    threshold_minutes: soon\n", 3, "threshold_minutes must be float"),
    ("policies:\n  - trigger: freshness\n    colour: red\n", 3, "unknown key 'colour'"),
    ("policies:\n  - trigger: check_failure\n    check_severities: [ERROR, LOUD]\n", 3, "unknown value(s) ['LOUD']"),
    ("owners:\n  team:a: '#a'\npolicies:\n  - trigger: run_failure\n    channel: [1\n", 6, "not valid YAML"),
    ("policies:\n  - name: x\n    trigger: run_failure\n  - name: x\n    trigger: tick_failure\n", 4, "used twice"),
])
def test_malformed_policy_file_fails_with_its_line_and_cause(tmp_path, text, line, cause):
    path = write(tmp_path, text)
    with pytest.raises(AlertPolicyError) as failure:
        load_policies(path)
    assert f"{path}, line {line}: " in str(failure.value) and cause in str(failure.value)


def test_bad_file_named_by_the_setting_fails_the_code_location_load(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_ALERT_POLICIES", str(write(tmp_path, "policies:\n  - trigger: daemon_down\n    heartbeat_timeout_seconds: -5\n")))
    with pytest.raises(AlertPolicyError, match=r"line 3: policy 'daemon_down': heartbeat_timeout_seconds must be above 0"):
        automation_defs()
    monkeypatch.setenv("PIPELINE_ALERT_POLICIES", str(tmp_path / "missing.yaml"))
    with pytest.raises(AlertPolicyError, match="PIPELINE_ALERT_POLICIES"):
        automation_defs()


@dg.asset(key=["marts", "revenue_by_day"], owners=["team:finance"])
def finance_mart():
    raise ValueError("division by zero in revenue_by_day")


@dg.asset(key=["marts", "unowned"])
def unowned_mart():
    raise ValueError("unowned failure")


def test_owner_routed_policy_sends_to_the_owners_channel(fake_slack, instance, tmp_path):
    policies = load_policies(write(tmp_path, (
        "owners:\n  'team:finance': '#finance-alerts'\n"
        "policies:\n  - trigger: run_failure\n    route: owners\n    channel: '#fallback'\n"
    )))
    sensor = build_run_failure_alert_sensor(SLACK, policies)
    tick = Ticker(sensor, instance, dg.Definitions(assets=[finance_mart, unowned_mart], sensors=[sensor]))
    tick()
    dg.materialize([finance_mart], instance=instance, raise_on_error=False)
    dg.materialize([unowned_mart], instance=instance, raise_on_error=False)
    tick()
    routed = {p["channel"]: p["text"] for p in fake_slack.posts}
    assert set(routed) == {"#finance-alerts", "#fallback"}
    assert "division by zero" in routed["#finance-alerts"] and "Owner: team:finance" in routed["#finance-alerts"]
    assert "http://dagster.example:3000/assets/marts/revenue_by_day" in routed["#finance-alerts"]
    assert "unowned failure" in routed["#fallback"]
