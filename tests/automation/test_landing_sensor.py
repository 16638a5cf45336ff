"""Landing sensor: right asset and partition per file; the cursor handles late, changed and repeated files."""

from __future__ import annotations

import os
import time

import dagster as dg
import pytest

from pipeline_platform.automation import landing_scan
from pipeline_platform.automation.landing_sensor import build_landing_sensor
from pipeline_platform.resources.landing import LandingFolder
from tests.automation import graph

HEADER = "customer_id,name,email,country,signup_date,updated_at\n"


@pytest.fixture
def landing(tmp_path):
    return tmp_path / "landing"


@pytest.fixture
def tick(landing, instance):
    sensor = build_landing_sensor(settle_seconds=0)
    defs = dg.Definitions(assets=graph.ASSETS, sensors=[sensor])
    state = {"cursor": None}

    def _tick():
        context = dg.build_sensor_context(
            instance=instance, cursor=state["cursor"], definitions=defs,
            resources={"landing": LandingFolder(path=str(landing))},
        )
        result = sensor.evaluate_tick(context)
        state["cursor"] = result.cursor
        return result.run_requests or []

    _tick.state = state
    return _tick


def drop(landing, rel: str, body: str = "1,a,a@x,DE,2026-09-01,2026-09-01T00:00:00Z\n", mtime: float | None = None):
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_new_file_targets_its_source_asset_and_day(landing, tick):
    drop(landing, "customers/customers_2026-10-03.csv")
    drop(landing, "products/products_2026-10-04.csv")
    drop(landing, "orders/orders_2026-10-04.csv")  # an API source: not a landing source, ignored
    drop(landing, "customers/notes.txt")
    requests = tick()
    targets = sorted((r.asset_selection[0].to_user_string(), r.partition_key) for r in requests)
    assert targets == [("raw/customers", "2026-10-03"), ("raw/products", "2026-10-04")]
    assert all(r.run_key.startswith("landing:") for r in requests)


def test_same_file_twice_loads_once(landing, tick):
    path = drop(landing, "customers/customers_2026-10-03.csv")
    assert len(tick()) == 1
    assert tick() == []
    os.utime(path, (time.time() - 5, time.time() - 5))  # touched, same content
    assert tick() == []


def test_changed_file_loads_again_with_a_new_run_key(landing, tick):
    path = drop(landing, "customers/customers_2026-10-03.csv")
    [first] = tick()
    drop(landing, "customers/customers_2026-10-03.csv", body="2,b,b@x,FR,2026-10-03,2026-10-03T00:00:00Z\n")
    os.utime(path, (time.time() - 5, time.time() - 5))
    [second] = tick()
    assert second.partition_key == "2026-10-03" and second.run_key != first.run_key


def test_late_file_with_an_old_timestamp_is_picked_up(landing, tick):
    drop(landing, "customers/customers_2026-10-10.csv")
    assert len(tick()) == 1
    old = time.time() - 30 * 86400  # older than everything the cursor has seen
    drop(landing, "customers/customers_2026-09-15.csv", mtime=old)
    [late] = tick()
    assert late.partition_key == "2026-09-15"
    seen = landing_scan.load_cursor(tick.state["cursor"])
    assert seen.newest_mtime_ns > seen.files["customers/customers_2026-09-15.csv"][1]


def test_day_not_yet_a_partition_waits_and_out_of_range_day_is_ignored(landing, tick):
    drop(landing, "customers/customers_2099-01-01.csv")
    drop(landing, "customers/customers_2020-01-01.csv")
    assert tick() == []
    assert tick() == []  # still waiting, no request for the invalid day either


def test_ten_thousand_files_one_request_per_source_day_and_no_rehash(landing, tick, monkeypatch):
    days = [f"2026-09-{d:02d}" for d in range(1, 31)] + [f"2026-10-{d:02d}" for d in range(1, 21)]
    for i in range(10_000):
        source = "customers" if i % 2 else "products"
        (landing / source).mkdir(parents=True, exist_ok=True)
        (landing / source / f"{source}_{days[(i // 2) % 50]}_part{i:05d}.csv").write_text(f"{i}\n")
    requests = tick()
    assert len(requests) == 100
    assert len({r.run_key for r in requests}) == 100
    hashed = []
    real = landing_scan.file_digest
    monkeypatch.setattr(landing_scan, "file_digest", lambda p: hashed.append(p) or real(p))
    assert tick() == []
    assert hashed == []  # size + mtime matched: nothing was re-read
    (landing / "customers" / "customers_2026-09-01_part00001.csv").write_text("changed\n")
    [again] = tick()
    assert again.partition_key == "2026-09-01" and len(hashed) == 1


def test_first_tick_treats_days_already_loaded_as_seen(landing, tick, instance):
    """After `make dev`'s initial backfill, the sensor must not replay history file by file."""
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=dg.AssetKey(["raw", "customers"]), partition="2026-10-03")
    )
    drop(landing, "customers/customers_2026-10-03.csv")
    assert tick() == []
    assert len(landing_scan.load_cursor(tick.state["cursor"]).files) == 1, "recorded as seen"
    drop(landing, "customers/customers_2026-10-04.csv")
    assert [(r.asset_selection[0].to_user_string(), r.partition_key) for r in tick()] == [("raw/customers", "2026-10-04")]
    drop(landing, "customers/customers_2026-10-03.csv", body="1,b,b@x,DE,2026-09-01,2026-10-03T00:00:00Z\n")
    assert [r.partition_key for r in tick()] == ["2026-10-03"], "a changed file reloads even on a loaded day"


def sensor_over(landing, instance, assets):
    """Tick the landing sensor over ``assets`` instead of the stand-in graph."""
    sensor = build_landing_sensor(settle_seconds=0)
    defs = dg.Definitions(assets=assets, sensors=[sensor])
    context = dg.build_sensor_context(instance=instance, definitions=defs,
                                      resources={"landing": LandingFolder(path=str(landing))})
    return sensor.evaluate_tick(context).run_requests or []


def test_the_landing_glob_decides_even_in_a_folder_not_named_after_the_source(landing, instance):
    """The sensor and the load match files with one implementation (ingestion/csv/landing_files.py)."""
    from pipeline_platform.ingestion.csv.landing_files import files_for_window

    @dg.asset(key=["crm_landing", "accounts"], group_name="raw", kinds={"csv"}, partitions_def=graph.DAILY,
              metadata={"landing_glob": "exports/crm/accts_*.csv"})
    def accounts(): ...

    @dg.asset(key=["crm_landing", "regions"], group_name="raw", kinds={"csv"},
              metadata={"landing_glob": "reference/regions*.csv"})
    def regions(): ...

    drop(landing, "exports/crm/accts_2026-10-03.csv")
    drop(landing, "exports/crm/other_2026-10-03.csv")  # same folder, not the glob
    drop(landing, "accounts/accounts_2026-10-03.csv")  # named after the source, not the glob
    drop(landing, "reference/regions.csv")
    drop(landing, "reference/regions_eu_2026-10-01.csv")  # unpartitioned: one run for all its files
    requests = sensor_over(landing, instance, [accounts, regions])
    targets = sorted((r.asset_selection[0].to_user_string(), r.partition_key) for r in requests)
    assert targets == [("crm_landing/accounts", "2026-10-03"), ("crm_landing/regions", None)]
    # exactly the files a load of that source reads
    assert [p.name for p in files_for_window(landing, "exports/crm/accts_*.csv", None, None)] == ["accts_2026-10-03.csv"]
    assert sorted(p.name for p in files_for_window(landing, "reference/regions*.csv", None, None)) == [
        "regions.csv", "regions_eu_2026-10-01.csv"]
