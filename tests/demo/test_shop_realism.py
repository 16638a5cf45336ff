"""The generated shop looks like a shop: order lifecycles, payments, NPS spread and volumes."""

from __future__ import annotations

from collections import Counter

from pipeline_platform.demo import clock, nps, orders, shop
from tests.demo.conftest import AS_OF


def test_orders_lifecycle_is_realistic():
    rows = list(shop.state_as_of("orders", AS_OF))
    status = Counter(r["status"] for r in rows)
    assert set(status) == {"placed", "shipped", "delivered", "cancelled"}
    assert 0.03 < status["cancelled"] / len(rows) < 0.10
    deleted = [r for r in rows if r["deleted_at"]]
    assert 0.015 < len(deleted) / len(rows) < 0.05
    for r in deleted:
        lag = clock.to_epoch(r["deleted_at"]) - clock.to_epoch(r["ordered_at"])
        assert 24 * 3600 <= lag <= 48 * 3600 and r["updated_at"] >= r["deleted_at"]
    days = (clock.to_epoch(AS_OF) - clock.OPENED_EPOCH) / clock.DAY
    assert 150 < len(rows) / days < 260


def test_one_payment_per_paid_order_for_its_amount():
    settled = clock.to_epoch("2026-10-01T00:00:00Z")
    placed = [o for d in range(20) for o in orders.placed_on(d)]
    paid = {p["order_id"]: p for p in shop.state_as_of("payments", settled)}
    for o in placed:
        if o.cancelled_at:
            assert o.order_id not in paid
        else:
            assert paid[o.order_id]["amount"] == o.cents / 100 and paid[o.order_id]["paid_at"] >= clock.iso(o.ordered_at)
    pairs = [(paid[o.order_id]["paid_at"], clock.iso(o.ordered_at)) for o in placed if not o.cancelled_at]
    assert sum(p[:10] == o[:10] for p, o in pairs) / len(pairs) > 0.7


def test_nps_scores_spread_over_the_scale():
    scores = Counter(r.score for d in range(30) for r in nps.answered_on(d))
    assert set(scores) <= set(range(11)) and len(scores) >= 9
    total = sum(scores.values())
    promoters, detractors = sum(scores[s] for s in (9, 10)), sum(scores[s] for s in range(7))
    assert 0.35 < promoters / total < 0.7 and 0.08 < detractors / total < 0.35


def test_scale_multiplies_daily_volumes():
    assert 8 <= len(orders.placed_on(3, 0.05)) <= 13
    assert 1600 <= len(orders.placed_on(3, 10.0)) <= 2600
    assert orders.ids(10.0).first_id(4) == orders.ids(10.0).first_id(3) + len(orders.placed_on(3, 10.0))


def test_opening_day_matches_the_partitions():
    from pipeline_platform.ingestion.config import load_partitioning

    assert str(clock.SHOP_OPENED) == load_partitioning()[0]  # the demo's sources.yaml: partitions.start
