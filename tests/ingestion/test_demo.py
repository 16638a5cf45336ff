"""The real sources.yaml against the demo shop: a 30-day single-run backfill, reruns, next-day changes
(and, for the NPS answers, what the next days' dbt run makes of them)."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from pipeline_platform.demo import clock, production, shop
from pipeline_platform.demo.api import DemoApi
from pipeline_platform.demo.landing import land_days, rows_for_day
from pipeline_platform.ingestion.assets import build_raw_assets
from tests.dbt_project.conftest import command, environment
from tests.ingestion.conftest import failure_message, metadata_of

FIRST, LAST = "2026-09-01", "2026-09-30"
SINCE, UNTIL = "2026-09-01T00:00:00+00:00", "2026-10-01T00:00:00+00:00"
RANGE = {"dagster/asset_partition_range_start": FIRST, "dagster/asset_partition_range_end": LAST}


@pytest.fixture
def demo(platform, monkeypatch):
    with DemoApi(port=0, as_of=UNTIL) as api:
        monkeypatch.setenv("PIPELINE_DEMO_API_URL", api.url)
        land_days(platform.landing, FIRST, LAST, as_of=UNTIL)
        yield api


def snapshot(platform) -> dict:
    with psycopg.connect(platform.url) as conn:
        return {t: conn.execute(f"SELECT * FROM raw.{t} ORDER BY 1").fetchall()
                for t in ("customers", "products", "orders", "payments", "nps_responses")}


def test_30_day_backfill_is_one_run_matching_the_source_and_reruns_change_nothing(platform, demo):
    assets = build_raw_assets()
    result = platform.materialize(assets, tags=RANGE)
    assert result.success, failure_message(result)
    assert len(result.get_step_success_events()) == 5  # one step per source for the whole range
    days = [clock.day_date(n).isoformat() for n in range(30)]
    expected = {e: len({row[0] for d in days for row in rows_for_day(e, d)}) for e in ("customers", "products")}
    expected |= {e: len(shop.snapshot(e, UNTIL, SINCE, UNTIL)) for e in ("orders", "payments")}
    expected["nps_responses"] = len(production.rows_as_of(UNTIL))  # the production database at UNTIL
    for name, count in expected.items():
        meta = metadata_of(result, dg.AssetKey(["raw", name]))
        assert platform.scalar(f"SELECT count(*) FROM raw.{name}") == count == meta["dagster/row_count"], name
        assert platform.last_load(name)["partition_key"] == f"{FIRST}..{LAST}"
    assert all(e.passed for e in result.get_asset_check_evaluations())
    paths = {n: metadata_of(result, dg.AssetKey(["raw", n]))["path"] for n in expected}
    assert paths["orders"] == "direct COPY"  # empty table: straight into it
    assert paths["customers"] == "staged"  # a customer changed on two days: the stage keeps the newest
    before = snapshot(platform)
    rerun = platform.materialize(assets, tags=RANGE)
    assert rerun.success, failure_message(rerun)
    for name in expected:
        meta = metadata_of(rerun, dg.AssetKey(["raw", name]))
        assert (meta["inserted"], meta["updated"], meta["deleted"]) == (0, 0, 0), name
    assert snapshot(platform) == before


def _ts(value):
    return None if value is None else datetime.fromisoformat(value)


def test_next_partition_upserts_exactly_the_changed_and_soft_deleted_rows(platform, demo):
    orders = [a for a in build_raw_assets() if a.key == dg.AssetKey(["raw", "orders"])]
    assert platform.materialize(orders, tags=RANGE).success
    with psycopg.connect(platform.url) as conn:
        before = {r[0]: r for r in conn.execute(
            "SELECT order_id, status, amount, updated_at, deleted_at, _load_id FROM raw.orders")}
    next_as_of = "2026-10-02T00:00:00+00:00"
    demo.server.as_of = clock.resolve_as_of(next_as_of)
    changes = list(shop.state_as_of("orders", next_as_of, UNTIL, next_as_of))
    updated = [r for r in changes if r["order_id"] in before]
    deleted = [r for r in changes if r["deleted_at"] and (r["order_id"] not in before or before[r["order_id"]][4] is None)]
    assert updated and deleted, "the demo day should both change and soft-delete earlier orders"
    result = platform.materialize(orders, partition_key="2026-10-01")
    assert result.success, failure_message(result)
    meta = metadata_of(result, dg.AssetKey(["raw", "orders"]))
    assert (meta["inserted"], meta["updated"], meta["deleted"]) == (len(changes) - len(updated), len(updated), len(deleted))
    with psycopg.connect(platform.url) as conn:
        after = {r[0]: r for r in conn.execute(
            "SELECT order_id, status, amount, updated_at, deleted_at, _load_id FROM raw.orders")}
    changed = {r["order_id"]: r for r in changes}
    assert set(after) == set(before) | set(changed)
    for order_id, row in after.items():
        if order_id not in changed:
            assert row == before[order_id]  # untouched, including which load wrote it
        else:
            want = changed[order_id]
            assert row[1:5] == (want["status"], Decimal(str(want["amount"])), _ts(want["updated_at"]), _ts(want["deleted_at"]))
    assert platform.scalar("SELECT count(*) FROM raw.orders WHERE deleted_at IS NOT NULL") >= len(deleted)


def nps_marts(url: str, target: Path, window: dict | None = None) -> dict:
    """Build stg_nps_responses and mart_nps_daily with the real dbt CLI (over a window: the
    incremental path a daily run takes); returns the mart's responses by day."""
    cmd = command(target, "run", "--select", "stg_nps_responses", "mart_nps_daily")
    proc = subprocess.run(cmd + (["--vars", json.dumps(window)] if window else []), env=environment(url),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT response_date, responses FROM marts.mart_nps_daily").fetchall())


def live_answers(url: str) -> dict:
    """The shop database's answers neither withdrawn nor erased, counted by UTC day."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT (responded_at AT TIME ZONE 'UTC')::date, count(*) FROM public.nps_responses "
                                 "WHERE deleted_at IS NULL GROUP BY 1").fetchall())


def test_the_shop_database_changes_and_the_next_days_copy_revisions_withdrawals_and_erasures(platform, demo, tmp_path):
    nps = [a for a in build_raw_assets() if a.key == dg.AssetKey(["raw", "nps_responses"])]
    assert platform.materialize(nps, tags=RANGE).success
    first = nps_marts(platform.url, tmp_path)
    assert first == live_answers(production.configured_url())
    before = {r[0]: r for r in production.rows_as_of(UNTIL)}
    next_as_of, days = "2026-10-04T00:00:00+00:00", {"dagster/asset_partition_range_start": "2026-10-01",
                                                     "dagster/asset_partition_range_end": "2026-10-03"}
    production.sync(production.configured_url(), next_as_of)  # three shop days later, as the live API does
    after = {r[0]: r for r in production.rows_as_of(next_as_of)}
    revised = {k for k, r in after.items() if k in before and r[2] != before[k][2]}
    withdrawn = {k for k, r in after.items() if k in before and r[6] and not before[k][6]}
    erased = set(before) - set(after)
    assert revised and withdrawn and erased, "three shop days should revise, withdraw and erase earlier answers"
    result = platform.materialize(nps, tags=days)
    assert result.success, failure_message(result)
    meta = metadata_of(result, dg.AssetKey(["raw", "nps_responses"]))
    assert meta["deleted_missing"] == len(erased) and meta["path"] == "staged"
    with psycopg.connect(platform.url) as conn:
        rows = {r[0]: r for r in conn.execute(
            "SELECT response_id, score, deleted_at, _deleted_at FROM raw.nps_responses")}
    assert set(rows) == set(before) | set(after)  # erased answers stay, marked
    assert all(rows[k][1] == after[k][2] for k in revised)
    assert all(rows[k][2] == after[k][6] for k in withdrawn)
    assert {k for k, r in rows.items() if r[3] is not None} == erased
    # the next days' incremental dbt run drops withdrawn and erased answers from their (September) days
    changed_days = {before[k][4].date() for k in withdrawn | erased}
    marts = nps_marts(platform.url, tmp_path, {"min_date": "2026-10-01", "max_date": "2026-10-04"})
    assert marts == live_answers(production.configured_url())
    assert all(marts.get(day, 0) < first[day] for day in changed_days)
    rerun = platform.materialize(nps, tags=days)
    meta = metadata_of(rerun, dg.AssetKey(["raw", "nps_responses"]))
    assert (meta["inserted"], meta["updated"], meta["deleted_missing"]) == (0, 0, 0)
