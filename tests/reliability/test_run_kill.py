"""Issue 8, fault 2: the run worker SIGKILLed during a raw load and during ``dbt build``.

Runs travel the deployed route (queue -> daemon -> DefaultRunLauncher -> code server -> run worker
-> step process -> dbt) on a throwaway instance. Each test catches its run at a known point, seen
from Postgres (the COPY streaming; dbt's fct_orders statement waiting on a lock the test holds),
kills the run worker, and checks what an operator relies on: the run is FAILED, not left STARTED;
no process of the run lives on (lifeline.py); the table is exactly as before; the pool slot comes
back; and running the partition again completes it with nothing lost and nothing twice.
"""

import dagster as dg
import psycopg
import pytest
import yaml

from pipeline_platform.ingestion.assets import build_raw_assets
from pipeline_platform.resources.landing import LandingFolder
from pipeline_platform.resources.warehouse import WarehouseResource
from tests.dashboard_deploy.support import add_order, dbt
from tests.dbt_project.raw_data import seed
from tests.deploy.build import REPO
from tests.reliability.live_env import fresh_database, instance_env
from tests.reliability.live_instance import DONE, LiveInstance
from tests.reliability.run_kill_support import defs_keys, kill_and_check_run, slots_held, wait_for, write_customers

pytestmark = pytest.mark.slow
DAY, ROWS = "2026-09-02", 100_000
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}  # reruns: one process is enough
CUSTOMERS = dg.AssetKey(["raw", "customers"])


@pytest.fixture(scope="module")
def live(database_url, tmp_path_factory):
    root = tmp_path_factory.mktemp("run-kill")
    env = instance_env(root, fresh_database(database_url, "pp_kill_raw"), fresh_database(database_url, "pp_kill_dagster"))
    instance = LiveInstance(root, env)
    try:
        yield instance.start()
    finally:
        instance.stop()


@pytest.mark.parametrize("config", ["dagster.yaml", "deploy/dagster.prod.yaml"])
def test_shipped_instances_free_the_slots_of_killed_runs(config):
    """The tests below shorten these intervals; the shipped files must set them at all."""
    monitoring = yaml.safe_load((REPO / config).read_text())["run_monitoring"]
    assert monitoring["enabled"] and 0 < monitoring["free_slots_after_run_end_seconds"] <= 300
    assert monitoring["max_runtime_seconds"] > 0


def test_run_worker_killed_during_raw_load(live, tmp_path, fault_tally):
    url = live.env["PIPELINE_DATABASE_URL"]
    landing = tmp_path / "landing"
    config = {"resources": {"landing": {"config": {"path": str(landing)}}}}
    first = write_customers(landing, "2026-09-01", 1, 100)
    [asset] = [a for a in build_raw_assets() if a.key == CUSTOMERS]
    resources = {"warehouse": WarehouseResource(database_url=url), "landing": LandingFolder(path=str(landing))}
    assert dg.materialize([asset], partition_key="2026-09-01", resources=resources).success  # the "before"
    snapshot = "SELECT count(*), md5(string_agg(customer_id::text || name || _load_id, ',' ORDER BY customer_id)) FROM raw.customers"
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute(snapshot).fetchone()
        second = write_customers(landing, DAY, 1001, ROWS)
        run_id = live.launch([CUSTOMERS], {"dagster/partition": DAY}, config)
        assert wait_for(conn, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                              "AND query ILIKE 'COPY %%'", None), live.tails()
        kill_and_check_run(live, run_id)
        after = conn.execute(snapshot).fetchone()
        leaked_slots = slots_held(live, run_id)
        rerun = live.launch([CUSTOMERS], {"dagster/partition": DAY}, {**config, **IN_PROCESS})  # the day again
        status = live.wait(rerun, DONE, 180).status
        keys = {r[0] for r in conn.execute("SELECT customer_id FROM raw.customers")}
        total = conn.execute("SELECT count(*) FROM raw.customers").fetchone()[0]
        running = conn.execute("SELECT count(*) FROM raw._loads WHERE status = 'running'").fetchone()[0]
    fault_tally.record("Run worker SIGKILLed during raw load", lost=len((first | second) - keys),
                       duplicated=total - len(keys), partial=int(after != before) + running)
    assert after == before, "the killed load changed raw.customers"
    assert leaked_slots == 0, "the killed step's warehouse slot was never freed"
    assert status == dg.DagsterRunStatus.SUCCESS, live.tails()
    assert keys == first | second and total == len(keys) and running == 0


def test_run_worker_killed_during_dbt_build(live, database_url, tmp_path, fault_tally):
    url = fresh_database(database_url, "pp_kill_dbt")
    seed(url)
    dbt(url, tmp_path / "dbt", "run")  # the marts as they were before the killed run
    keys = [k for k in defs_keys() if k.path[0] in ("staging", "marts")]
    config = {"resources": {"warehouse": {"config": {"database_url": url}}}}
    fct = "SELECT * FROM marts.fct_orders ORDER BY order_id"
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute(fct).fetchall()
        add_order(url, 107, "9.00", DAY)  # a complete build would add it to fct_orders
        with psycopg.connect(url) as blocker:  # holds fct_orders: dbt's delete+insert waits mid-model
            blocker.execute("LOCK TABLE marts.fct_orders IN ACCESS EXCLUSIVE MODE")
            run_id = live.launch(keys, {"dagster/partition": DAY}, config)
            assert wait_for(conn, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND "
                                  "application_name = 'dbt' AND wait_event_type = 'Lock' AND query LIKE %s",
                            ("%fct_orders%",)), live.tails()
            killed = kill_and_check_run(live, run_id)
            assert [c for c in killed if "bin/dbt build" in c], killed  # dbt was running, and died too
            blocker.rollback()
        # The dead client's backend notices the closed socket once it runs again, and rolls back.
        assert wait_for(conn, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND "
                              "application_name = 'dbt' HAVING count(*) = 0", None, 30)
        after = conn.execute(fct).fetchall()
        leftovers = conn.execute("SELECT relname FROM pg_class WHERE relname ~ '__dbt_(tmp|backup)'").fetchall()
        leaked_slots = slots_held(live, run_id)
        rerun = live.launch(keys, {"dagster/partition": DAY}, {**config, **IN_PROCESS})
        status = live.wait(rerun, DONE, 240).status
        live_orders = {r[0] for r in conn.execute("SELECT order_id FROM raw.orders WHERE deleted_at IS NULL")}
        built = [r[0] for r in conn.execute("SELECT order_id FROM marts.fct_orders")]
    fault_tally.record("Run worker SIGKILLed during dbt build", lost=len(live_orders - set(built)),
                       duplicated=len(built) - len(set(built)), partial=int(after != before) + len(leftovers))
    assert after == before, "the killed dbt build changed fct_orders"
    assert leftovers == [] and leaked_slots == 0
    assert status == dg.DagsterRunStatus.SUCCESS, live.tails()
    assert set(built) == live_orders and 107 in built and len(built) == len(set(built))
    # This warehouse is not the database the prepared manifest names ("warehouse"): the row count
    # must still be fetched (a "database"."schema"."table" reference is refused across databases).
    [record] = live.instance.fetch_materializations(dg.AssetKey(["marts", "fct_orders"]), limit=1).records
    assert record.run_id == rerun
    assert record.asset_materialization.metadata["dagster/row_count"].value == len(built)

