"""Alerts that need the real daemon (a failing sensor tick) or its absence (heartbeat lost).

One ``dagster-daemon`` against Postgres instance storage (the session's embedded server) ticks a
sensor that always raises and the health alert sensor; the loopback Slack must get one message
for many failed ticks. Then the daemon is stopped (by its pid) and the watchdog reports the lost
heartbeat, once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest

from pipeline_platform.automation.dagster_internals import daemon_heartbeats
from pipeline_platform.automation.policies import load_policies
from pipeline_platform.automation.slack import PlatformSlack
from pipeline_platform.automation.watchdog import check_once
from tests.helpers import wait_until
from tests.reliability.live_env import fresh_database, instance_env

LOCATION = Path(__file__).with_name("alert_location.py")
SLACK = PlatformSlack(token=dg.EnvVar("SLACK_BOT_TOKEN"), backoff_seconds=0.05, max_wait_seconds=3)


def ticks_of(instance, name: str) -> list:
    [state] = [s for s in instance.all_instigator_state() if s.instigator_name == name]
    return instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=100)


@pytest.fixture
def daemon(tmp_path, database_url, fake_slack, monkeypatch):
    env = instance_env(tmp_path, database_url, fresh_database(database_url, "pp_alert_daemon"),
                       SLACK_BOT_TOKEN="xoxb-test-token", PIPELINE_SLACK_BASE_URL=fake_slack.url,
                       PIPELINE_SLACK_CHANNEL="#data-alerts")
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(f"load_from:\n  - python_file:\n      relative_path: {LOCATION}\n      location_name: alert_location\n"
                         f"      working_directory: {LOCATION.parents[2]}\n")
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", env["DAGSTER_POSTGRES_URL"])
    log = (tmp_path / "daemon.log").open("w")
    proc = subprocess.Popen([str(Path(env["PATH"].split(os.pathsep)[0]) / "dagster-daemon"), "run", "-w", str(workspace)],
                            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        yield proc, instance, tmp_path / "daemon.log"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the daemon's own group: it and its code server
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        log.close()
        instance.dispose()


def test_failing_sensor_alerts_once_and_lost_heartbeat_alerts_once(daemon, fake_slack, tmp_path):
    proc, instance, log = daemon
    posted = wait_until(lambda: fake_slack.posts, 180, every=0.5)
    assert posted, f"no alert within 180 s; daemon log:\n{log.read_text()[-3000:]}"
    failed_before = sum(t.status.value == "FAILURE" for t in ticks_of(instance, "exploding_sensor"))
    health_before = len(ticks_of(instance, "slack_health_alerts"))
    assert wait_until(lambda: len(ticks_of(instance, "slack_health_alerts")) >= health_before + 3
                      and sum(t.status.value == "FAILURE" for t in ticks_of(instance, "exploding_sensor")) >= failed_before + 3,
                      120, every=0.5), "the daemon stopped ticking"
    [post] = fake_slack.posts
    assert "Sensor tick failed" in post["text"] and "`exploding_sensor`" in post["text"]
    assert "landing folder unreadable" in post["text"]

    watch = tmp_path / "watch.yaml"
    watch.write_text("policies:\n  - trigger: daemon_down\n    heartbeat_timeout_seconds: 120\n")
    assert wait_until(lambda: all(daemon_heartbeats(instance).values()), 60, every=0.5), daemon_heartbeats(instance)
    check_once(instance, SLACK, load_policies(watch), None)
    assert len(fake_slack.posts) == 1  # heartbeats are recent: no alarm

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(60)
    watch.write_text("policies:\n  - trigger: daemon_down\n    heartbeat_timeout_seconds: 1\n")
    assert wait_until(lambda: min(daemon_heartbeats(instance).values()) < time.time() - 1, 30, every=0.2)
    for _ in range(3):
        check_once(instance, SLACK, load_policies(watch), None)
    assert len(fake_slack.posts) == 2
    assert "Dagster daemon heartbeat lost" in fake_slack.posts[1]["text"]
