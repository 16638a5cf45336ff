"""Incident alerts (freshness, long runs), run progress posts, delivery under 429/500, the digest.

All through the real slack_sdk client and a loopback Slack. Freshness windows cannot be shorter
than a minute in Dagster, so the freshness test moves the sensor's clock instead of waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import dagster as dg
import pytest

from pipeline_platform.automation.check_alerts import build_check_failure_alert_sensor
from pipeline_platform.automation.digest import build_digest_sensor, digest_text
from pipeline_platform.automation.failure_alerts import build_run_failure_alert_sensor
from pipeline_platform.automation.health_alerts import build_health_alert_sensor
from pipeline_platform.automation.policies import load_policies
from pipeline_platform.automation.progress_alerts import build_run_progress_sensor
from pipeline_platform.automation.slack import AlertNotDelivered, PlatformSlack
from tests.automation import graph
from tests.automation.test_slack_alerts import Ticker
from tests.helpers import free_port, wait_until

SLACK = PlatformSlack(token=dg.EnvVar("SLACK_BOT_TOKEN"), backoff_seconds=0.05, max_wait_seconds=5)
FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(minutes=2), warn_window=timedelta(minutes=1))


@dg.asset(key=["raw", "invoices"], freshness_policy=FRESHNESS, owners=["team:billing"])
def invoices(): ...


@dg.asset_check(asset=invoices)
def invoices_not_empty():
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN, description="0 rows")


FLAKY_FAILS = threading.Event()


@dg.asset
def flaky():
    if FLAKY_FAILS.is_set():
        raise ConnectionError("upstream API reset the connection")


RELEASE = threading.Event()


@dg.op
def wait_for_release():
    assert RELEASE.wait(60), "the test never released the run"


@dg.job(executor_def=dg.in_process_executor)
def slow_nightly():
    wait_for_release()


def policies_file(tmp_path, body: str):
    path = tmp_path / "alert_policies.yaml"
    path.write_text("owners:\n  'team:billing': '#billing'\npolicies:\n" + body)
    return load_policies(path)


def test_stale_asset_warns_then_fails_then_recovers_once_each(fake_slack, instance, tmp_path):
    offset = [0.0]
    sensor = build_health_alert_sensor(
        SLACK, policies_file(tmp_path, "  - trigger: freshness\n    route: owners\n"), clock=lambda: time.time() + offset[0]
    )
    tick = Ticker(sensor, instance, dg.Definitions(assets=[invoices], sensors=[sensor]))
    dg.materialize([invoices], instance=instance)
    for moved in (0, 90, 100, 150, 160):  # fresh, warn, still warn, fail, still fail
        offset[0] = moved
        tick()
    offset[0] = 0
    dg.materialize([invoices], instance=instance)
    tick()
    tick()
    texts = [p["text"] for p in fake_slack.posts]
    assert [t.split("*")[1] for t in texts] == ["Asset getting stale", "Asset stale", "Asset fresh again"], texts
    assert {p["channel"] for p in fake_slack.posts} == {"#billing"}
    assert all("raw/invoices" in t and "Owner: team:billing" in t for t in texts)
    assert "warn window 0:01:00" in texts[0] and "fail window 0:02:00" in texts[1]


def test_run_past_a_tiny_threshold_sends_one_message(fake_slack, instance, tmp_path):
    sensor = build_health_alert_sensor(SLACK, policies_file(tmp_path, "  - trigger: long_run\n    threshold_minutes: 0.001\n"))
    tick = Ticker(sensor, instance, dg.Definitions(jobs=[slow_nightly], sensors=[sensor]))
    RELEASE.clear()
    worker = threading.Thread(target=lambda: slow_nightly.execute_in_process(instance=instance))
    worker.start()
    try:
        assert wait_until(lambda: instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])), 30)
        assert wait_until(lambda: tick() and fake_slack.posts, 30, every=0.2)
        tick()
        tick()
    finally:
        RELEASE.set()
        worker.join(60)
    [post] = fake_slack.posts
    assert "Run still going" in post["text"] and "slow_nightly" in post["text"] and "threshold 0.001 min" in post["text"]


def test_success_and_start_posts_only_for_opted_in_jobs(fake_slack, instance, tmp_path):
    policies = policies_file(tmp_path, (
        "  - trigger: run_success\n    jobs: [slow_nightly]\n    channel: '#progress'\n"
        "  - trigger: run_start\n    jobs: [slow_nightly]\n    channel: '#progress'\n"
    ))
    sensor = build_run_progress_sensor(SLACK, policies)
    tick = Ticker(sensor, instance, dg.Definitions(jobs=[slow_nightly], assets=[invoices], sensors=[sensor]))
    tick()
    RELEASE.set()
    slow_nightly.execute_in_process(instance=instance)
    dg.materialize([invoices], instance=instance)  # not opted in: silent
    tick()
    tick()
    assert [p["text"].split("*")[1] for p in fake_slack.posts] == ["Run started", "Run succeeded"]
    assert {p["channel"] for p in fake_slack.posts} == {"#progress"}


def test_429_then_500_then_ok_delivers_every_incident_exactly_once(fake_slack, instance):
    sensor = build_run_failure_alert_sensor(SLACK, load_policies())
    tick = Ticker(sensor, instance, dg.Definitions(assets=graph.ASSETS, sensors=[sensor]))
    tick()
    runs = [dg.materialize([graph.broken], instance=instance, raise_on_error=False).run_id for _ in range(3)]
    fake_slack.script = [(429, {"Retry-After": "1"}), (500, {}), (200, {}), (429, {"Retry-After": "0"}), (503, {})]
    tick()
    tick()
    delivered = [run for post in fake_slack.posts for run in runs if run in post["text"]]
    assert sorted(delivered) == sorted(runs) and len(fake_slack.posts) == 3
    assert fake_slack.attempts == 3 + 4 and tick.state.pending == []


def test_over_budget_waits_keep_the_alert_for_the_next_tick_then_deliver_once(fake_slack, instance):
    sensor = build_run_failure_alert_sensor(SLACK, load_policies())
    tick = Ticker(sensor, instance, dg.Definitions(assets=graph.ASSETS, sensors=[sensor]))
    tick()
    run_id = dg.materialize([graph.broken], instance=instance, raise_on_error=False).run_id
    fake_slack.script = [(500, {}), (429, {"Retry-After": "3600"})]  # an hour is over the 5 s budget
    tick()
    assert fake_slack.posts == [] and fake_slack.attempts == 2
    assert [p["id"] for p in tick.state.pending] == [run_id]
    tick()
    tick()
    assert len(fake_slack.posts) == 1 and run_id in fake_slack.posts[0]["text"]


def test_daily_digest_reports_asset_health_once_a_day(fake_slack, instance):
    sensor = build_digest_sensor(SLACK, hour=0)
    warn_checks = build_check_failure_alert_sensor(SLACK, load_policies())
    defs = dg.Definitions(assets=[*graph.ASSETS, invoices, flaky], asset_checks=[invoices_not_empty], sensors=[sensor, warn_checks])
    tick = Ticker(sensor, instance, defs)
    dg.materialize([invoices, invoices_not_empty], instance=instance)
    FLAKY_FAILS.set()
    dg.materialize([flaky], instance=instance, raise_on_error=False)
    failed = dg.materialize([graph.broken], instance=instance, raise_on_error=False).run_id
    tick()
    tick()
    [post] = fake_slack.posts
    text = post["text"]
    assert "Pipeline digest" in text and "Runs: 3, failed: 2" in text
    assert "Failing checks: 1 (raw/invoices:invoices_not_empty)" in text
    assert "Failed runs never recovered: 2 (" in text and f"raw/broken {failed[:8]}" in text
    assert "Stale assets: 0" in text
    FLAKY_FAILS.clear()
    dg.materialize([flaky], instance=instance)  # failed once, then made good: not listed
    assert f"Failed runs never recovered: 1 (raw/broken {failed[:8]})" in digest_text(instance, datetime.now(timezone.utc))


def test_without_a_token_the_new_sensors_skip_and_say_what_to_set(monkeypatch, instance):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    for sensor in (build_health_alert_sensor(SLACK), build_run_progress_sensor(SLACK), build_digest_sensor(SLACK, hour=0)):
        assert "SLACK_BOT_TOKEN" in Ticker(sensor, instance, dg.Definitions(sensors=[sensor]))()


def test_slack_sdk_handlers_cover_what_the_builtins_miss(fake_slack):
    """502/504 (the built-in 5xx handler knows 500 and 503 only), Retry-After as an HTTP date (the
    built-in reads whole seconds only), and a refused connection end in delivery or one clear error."""
    fake_slack.script = [(502, {}), (504, {}), (429, {"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"})]
    SLACK.post("through three kinds of trouble")
    assert fake_slack.attempts == 4 and [p["text"] for p in fake_slack.posts] == ["through three kinds of trouble"]
    closed = PlatformSlack(token="xoxb-test", base_url=f"http://127.0.0.1:{free_port()}/api/", backoff_seconds=0.01, max_wait_seconds=1)
    with pytest.raises(AlertNotDelivered, match="unreachable after the retry budget"):
        closed.post("nobody listens on this port")
