"""The marts' answers computed in Python from the raw rows, independently of the dbt SQL.

Reading the raw tables back (rather than re-using the seed constants) lets the same functions
check the marts after a test mutated raw rows. Days are UTC days, as the contract says.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timezone
from decimal import ROUND_HALF_UP, Decimal

import psycopg


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def utc_day(value):
    return value.astimezone(timezone.utc).date()


def counted_orders(url: str) -> list[tuple]:
    """(order_id, customer_id, amount, day) of orders neither soft-deleted nor cancelled."""
    raw = rows(url, "SELECT order_id, customer_id, amount, ordered_at, status, deleted_at FROM raw.orders")
    return [(o, c, a, utc_day(at)) for o, c, a, at, status, deleted in raw
            if deleted is None and status != "cancelled"]


def daily_revenue(url: str) -> list[tuple]:
    days = defaultdict(list)
    for _, customer, amount, day in counted_orders(url):
        days[day].append((customer, amount))
    return sorted((day, len(v), sum(a for _, a in v), len({c for c, _ in v})) for day, v in days.items())


def nps_daily(url: str) -> list[tuple]:
    days = defaultdict(list)
    live = "SELECT score, responded_at FROM raw.nps_responses WHERE deleted_at IS NULL AND _deleted_at IS NULL"
    for score, at in rows(url, live):
        days[utc_day(at)].append(score)
    out = []
    for day, scores in sorted(days.items()):
        pro, det = sum(s >= 9 for s in scores), sum(s <= 6 for s in scores)
        nps = (Decimal(100) * (pro - det) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append((day, len(scores), pro, len(scores) - pro - det, det, nps))
    return out


def lifetime_values(url: str) -> list[tuple]:
    by_customer = defaultdict(list)
    for _, customer, amount, day in counted_orders(url):
        by_customer[customer].append((amount, day))
    out = []
    for cid, name, country in rows(url, "SELECT customer_id, name, country FROM raw.customers"):
        mine = by_customer.get(cid, [])
        days = [d for _, d in mine]
        out.append((cid, name, country, len(mine), sum((a for a, _ in mine), Decimal("0.00")),
                    min(days, default=None), max(days, default=None)))
    return sorted(out)
