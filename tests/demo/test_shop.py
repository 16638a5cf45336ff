"""The generator is a pure function of the day and shows only what has happened by ``as_of``."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from pipeline_platform.demo import clock, orders, shop
from pipeline_platform.demo.contract import COLUMNS
from pipeline_platform.demo.snapshot import Snapshot
from tests.demo.conftest import AS_OF

DIGEST = (
    "import hashlib; from pipeline_platform.demo import shop; "
    "print(hashlib.sha256('\\n'.join(shop.snapshot('{0}', '{1}', scale={2}).json_rows(0, 10**9)).encode()).hexdigest())"
)


def digest(entity: str, scale: float = 1.0) -> str:
    text = "\n".join(shop.snapshot(entity, AS_OF, scale=scale).json_rows(0, 10**9))
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_day_regenerates_byte_for_byte_in_a_fresh_interpreter():
    here = digest("orders")
    orders.placed_on.cache_clear()
    assert digest("orders") == here
    code = DIGEST.format("orders", AS_OF, 1.0)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == here


def test_keys_and_columns_follow_the_contract():
    for entity in ("orders", "payments", "nps_responses"):
        row = next(shop.state_as_of(entity, AS_OF))
        assert list(row) == COLUMNS[entity]
        assert row["updated_at"].endswith("+00:00")


def test_an_update_after_as_of_is_invisible():
    order = next(o for o in orders.placed_on(10) if o.delivered_at and not o.deleted_at)
    before, after = order.delivered_at - 1, order.delivered_at
    seen_before = {r["order_id"]: r for r in shop.state_as_of("orders", before)}[order.order_id]
    seen_after = {r["order_id"]: r for r in shop.state_as_of("orders", after)}[order.order_id]
    assert seen_before["status"] == "shipped" and seen_before["updated_at"] == clock.iso(order.shipped_at)
    assert seen_after["status"] == "delivered" and seen_after["updated_at"] == clock.iso(after)
    not_yet = {r["order_id"] for r in shop.state_as_of("orders", order.ordered_at - 1)}
    assert order.order_id not in not_yet and order.order_id - 1 in not_yet


def test_window_is_half_open_on_updated_at():
    rows = list(shop.state_as_of("nps_responses", AS_OF))
    edge = rows[100]["updated_at"]
    inside = list(shop.state_as_of("nps_responses", AS_OF, updated_since=edge))
    outside = list(shop.state_as_of("nps_responses", AS_OF, updated_until=edge))
    assert inside[0]["updated_at"] == edge and all(r["updated_at"] < edge for r in outside)
    assert len(inside) + len(outside) == len(rows)
    keys = [(r["updated_at"], r["response_id"]) for r in rows]
    assert keys == sorted(keys)


def test_a_settled_window_is_the_same_at_any_later_instant():
    window = ("2026-09-10T00:00:00Z", "2026-09-11T00:00:00Z")
    for entity in ("orders", "payments", "nps_responses"):
        cached = shop.snapshot(entity, "2026-11-20T00:00:00Z", *window)
        direct = Snapshot(entity, 1.0, clock.to_epoch("2026-11-20T00:00:00Z"), *map(clock.to_epoch, window))
        assert len(cached) > 10 and cached.json_rows(0, 10**6) == direct.json_rows(0, 10**6)
    unsettled = ("2026-10-14T00:00:00Z", "2026-10-15T00:00:00Z")
    early = {r["order_id"] for r in shop.state_as_of("orders", AS_OF, *unsettled)}
    late = {r["order_id"] for r in shop.state_as_of("orders", "2026-11-20T00:00:00Z", *unsettled)}
    assert late < early  # orders in flight on the 14th moved on later; none can move into the past
