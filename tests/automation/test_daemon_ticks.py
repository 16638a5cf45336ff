"""Issue 20: a schedule tick and a sensor tick through a real ``dagster-daemon`` on Postgres storage.

Unit tests call the schedule and sensor functions directly; this starts what a deployment runs (a
gRPC code server with the platform's definitions and ``dagster-daemon run``, a temp DAGSTER_HOME
with the repo's ``dagster.yaml`` on a fresh Postgres database), turns on the ingest schedule (cron
every minute via ``PIPELINE_INGEST_CRON``) and the landing sensor, lands one CSV file, and waits,
with deadlines, for the daemon to record a successful tick of each with the run it requested. The
run queue admits no run (``max_concurrent_runs: 0``), so the runs stay queued and nothing else
competes for the machine; the processes are stopped by pid.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.helpers import wait_until
from tests.reliability.live_env import fresh_database, instance_env
from tests.reliability.live_instance import LOCATION, LiveInstance

DAY = "2026-10-01"
TICK_DEADLINE = 240  # a minute until the cron's next minute, plus the daemon's loop and a loaded machine


def _queue_nothing(home: Path) -> None:
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    config["concurrency"]["runs"]["max_concurrent_runs"] = 0
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))


def _ticks(live: LiveInstance, instigator) -> list:
    return live.instance.get_ticks(instigator.get_remote_origin_id(), instigator.selector_id)


def _ticked(live: LiveInstance, instigator) -> list:
    return [t for t in _ticks(live, instigator) if t.status.value == "SUCCESS" and t.run_ids]


def _why(live: LiveInstance, instigator) -> str:
    """Every tick the daemon recorded (status, error or skip reason), then the daemon's log."""
    ticks = [f"{t.status.value} {t.tick_data.error or t.skip_reason or ''}" for t in _ticks(live, instigator)]
    return f"ticks: {ticks}\n{live.daemon.tail()}"


@pytest.mark.slow
def test_schedule_and_sensor_ticks_through_the_daemon(database_url, tmp_path):
    env = instance_env(tmp_path, database_url, fresh_database(database_url, "dagster_ticks"),
                       PIPELINE_INGEST_CRON="* * * * *", PIPELINE_TIMEZONE="UTC")
    _queue_nothing(Path(env["DAGSTER_HOME"]))
    landed = Path(env["PIPELINE_LANDING_DIR"]) / "customers" / f"customers_{DAY}.csv"
    landed.parent.mkdir(parents=True)
    landed.write_text("customer_id,name,email,country,signup_date,updated_at\n"
                      f"1,Ada,ada@example.com,GB,{DAY},{DAY}T10:00:00+00:00\n")
    live = LiveInstance(tmp_path, env, running=frozenset({"ingest_raw_schedule", "landing_sensor"}))
    try:
        live.start()  # these two started, every other schedule and sensor stopped; then the daemon
        [repo] = live.workspace.create_request_context().get_code_location(LOCATION).get_repositories().values()
        schedule, sensor = repo.get_schedule("ingest_raw_schedule"), repo.get_sensor("landing_sensor")

        scheduled = wait_until(lambda: _ticked(live, schedule), TICK_DEADLINE, every=1)
        sensed = wait_until(lambda: _ticked(live, sensor), TICK_DEADLINE, every=1)
        assert scheduled, f"no successful schedule tick with a run in {TICK_DEADLINE} s; {_why(live, schedule)}"
        assert sensed, f"no successful sensor tick with a run in {TICK_DEADLINE} s; {_why(live, sensor)}"

        tick = scheduled[-1]
        yesterday = (datetime.fromtimestamp(tick.timestamp, timezone.utc) - timedelta(days=1)).date().isoformat()
        by_schedule = live.instance.get_run_by_id(tick.run_ids[0])
        assert by_schedule.tags["dagster/schedule_name"] == "ingest_raw_schedule"
        assert by_schedule.tags["dagster/partition"] == yesterday
        by_sensor = live.instance.get_run_by_id(sensed[-1].run_ids[0])
        assert by_sensor.tags["dagster/sensor_name"] == "landing_sensor"
        assert by_sensor.tags["dagster/partition"] == DAY
        assert by_sensor.asset_selection == {dg.AssetKey(["raw", "customers"])}
        assert {by_schedule.status, by_sensor.status} == {dg.DagsterRunStatus.QUEUED}
    finally:
        live.stop()
