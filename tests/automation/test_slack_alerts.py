"""Slack alerts end to end: the real slack_sdk client against a loopback HTTP server."""

import logging

import dagster as dg

from pipeline_platform.automation.alert_state import AlertState
from pipeline_platform.automation.check_alerts import build_check_failure_alert_sensor
from pipeline_platform.automation.failure_alerts import build_run_failure_alert_sensor
from pipeline_platform.automation.slack import PlatformSlack
from tests.automation import graph, retry_job

SLACK = PlatformSlack(token=dg.EnvVar("SLACK_BOT_TOKEN"), backoff_seconds=0.05, max_wait_seconds=3)
failure_sensor = build_run_failure_alert_sensor(SLACK)
check_sensor = build_check_failure_alert_sensor(SLACK)


@dg.asset
def revenue(): ...


@dg.asset_check(asset=revenue)
def revenue_never_negative():
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.ERROR, description="3 negative days")


@dg.asset_check(asset=revenue)
def revenue_has_rows():
    return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


DEFS = dg.Definitions(
    assets=[*graph.ASSETS, revenue],
    asset_checks=[revenue_never_negative, revenue_has_rows],
    jobs=[retry_job.nightly_api_load],
    sensors=[failure_sensor, check_sensor],
    resources={"slack": SLACK},
)


class Ticker:
    """Evaluates a sensor tick after tick, carrying its cursor, as the daemon does."""

    def __init__(self, sensor, instance, definitions: dg.Definitions = DEFS):
        self.sensor, self.instance, self.cursor, self.definitions = sensor, instance, None, definitions

    def __call__(self):
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor, definitions=self.definitions)
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor or self.cursor
        return result.skip_message

    @property
    def state(self):
        return AlertState.load(self.cursor)


def fail_broken(instance):
    result = dg.materialize([graph.broken], instance=instance, raise_on_error=False)
    assert not result.success
    return result.run_id


def test_without_a_token_sensors_skip_and_say_what_to_set(monkeypatch, instance):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    for sensor in (failure_sensor, check_sensor):
        message = Ticker(sensor, instance)()
        assert "SLACK_BOT_TOKEN" in message


def test_failed_run_sends_one_message_with_link_error_and_impact(fake_slack, instance):
    tick = Ticker(failure_sensor, instance)
    tick()
    run_id = fail_broken(instance)
    tick()
    tick()
    [post] = fake_slack.posts
    text = post["text"]
    assert post["channel"] == "#data-alerts" and post["auth"] == "Bearer xoxb-test-token"
    assert f"http://dagster.example:3000/runs/{run_id}" in text
    assert "COPY failed: extra data after last expected column" in text
    assert "raw/broken" in text and "raw__broken" in text
    assert "Stale downstream assets: 2" in text


def test_test_channel_receives_everything(fake_slack, monkeypatch, instance):
    monkeypatch.setenv("PIPELINE_SLACK_TEST_CHANNEL", "#alerts-test")
    tick = Ticker(failure_sensor, instance)
    tick()
    fail_broken(instance)
    tick()
    assert [p["channel"] for p in fake_slack.posts] == ["#alerts-test"]


def test_run_retried_three_times_sends_one_message(fake_slack, retrying_instance):
    instance = retrying_instance
    tick = Ticker(failure_sensor, instance)
    tick()
    recon = dg.reconstructable(retry_job.nightly_api_load)
    last = dg.execute_job(recon, instance, raise_on_error=False)
    root = last.run_id
    tick()
    for number in range(1, 4):  # what the run-retry daemon launches: from-failure, with its tags
        options = dg.ReexecutionOptions.from_failure(last.run_id, instance)
        tags = {"dagster/parent_run_id": last.run_id, "dagster/root_run_id": root, "dagster/retry_number": str(number)}
        last = dg.execute_job(recon, instance, reexecution_options=options, raise_on_error=False, tags=tags)
        tick()
    tick()
    assert instance.get_run_by_id(last.run_id).root_run_id == root
    [post] = fake_slack.posts
    assert last.run_id in post["text"] and "orders API timed out" in post["text"]
    assert tick.state.waiting == {}


def test_rate_limited_then_accepted_still_delivers(fake_slack, instance):
    tick = Ticker(failure_sensor, instance)
    tick()
    fake_slack.script = [(429, {"Retry-After": "1"})]
    fail_broken(instance)
    tick()
    assert fake_slack.attempts == 2 and len(fake_slack.posts) == 1
    assert tick.state.pending == []


def test_slack_down_keeps_the_alert_pending_and_leaves_the_run_alone(fake_slack, instance, caplog):
    tick = Ticker(failure_sensor, instance)
    tick()
    run_id = fail_broken(instance)
    before = instance.get_run_by_id(run_id)
    fake_slack.fail_forever_with = 500
    with caplog.at_level(logging.ERROR):
        tick()
    assert fake_slack.posts == [] and fake_slack.attempts > 1
    assert [p["id"] for p in tick.state.pending] == [run_id]
    assert "not delivered" in caplog.text and run_id in caplog.text
    after = instance.get_run_by_id(run_id)
    assert after.status == before.status == dg.DagsterRunStatus.FAILURE and after.tags == before.tags
    fake_slack.fail_forever_with = None  # Slack is back: the next tick delivers the kept alert
    tick()
    assert len(fake_slack.posts) == 1 and run_id in fake_slack.posts[0]["text"]
    assert tick.state.pending == []


def test_failed_error_check_names_check_and_asset(fake_slack, instance):
    tick = Ticker(check_sensor, instance)
    tick()
    dg.materialize([revenue, revenue_never_negative, revenue_has_rows], instance=instance, raise_on_error=False)
    tick()
    [post] = fake_slack.posts  # the WARN-severity failure does not page
    assert "revenue_never_negative" in post["text"] and "`revenue`" in post["text"]
    assert "3 negative days" in post["text"]
