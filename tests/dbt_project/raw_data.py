"""Hand-built raw rows with known answers, written straight into the ``raw`` schema.

The dbt tests must not depend on the loaders or the demo generator (other layers, other bugs), so
the raw tables are created here exactly as docs/data-contract.md specifies them and filled with a
few rows that cover every rule: a soft-deleted order, a cancelled order, orders near UTC midnight,
a payment of a deleted order, NPS days with a known score, and failed/running loads.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

D1, D2 = "2026-09-01", "2026-09-02"
CUSTOMERS = [(1, "Ada", "ada@example.com", "DE", D1), (2, "Bo", "bo@example.com", "FR", D1),
             (3, "Cy", "cy@example.com", "US", D2)]
PRODUCTS = [(10, "Widget", "tools", "5.00"), (11, "Gadget", "toys", "12.50")]
# order_id, customer, product, qty, amount, status, ordered_at (UTC), deleted_at
ORDERS = [
    (100, 1, 10, 2, "10.00", "delivered", f"{D1} 08:00", None),
    (101, 2, 11, 1, "12.50", "placed", f"{D1} 23:30", None),  # late evening: still day 1 in UTC
    (102, 1, 11, 2, "25.00", "cancelled", f"{D1} 10:00", None),
    (103, 2, 10, 1, "5.00", "placed", f"{D1} 11:00", f"{D1} 12:00"),  # soft-deleted
    (106, 1, 10, 1, "5.00", "delivered", f"{D1} 08:30", None),
    (104, 1, 10, 3, "15.00", "shipped", f"{D2} 09:00", None),
    (105, 2, 11, 1, "12.50", "placed", f"{D2} 00:30", None),  # just after midnight: day 2
]
PAYMENTS = [(500, 100, "10.00", "card", f"{D1} 08:05"), (501, 104, "7.00", "card", f"{D2} 09:05"),
            (502, 104, "8.00", "paypal", f"{D2} 09:10"), (503, 103, "5.00", "card", f"{D1} 11:05")]
# 10,9,9,8,7,6,0 -> 3 promoters, 2 passives, 2 detractors of 7 -> NPS 14.29; day 2: 9,0,0 -> -33.33
NPS = [(D1, s) for s in (10, 9, 9, 8, 7, 6, 0)] + [(D2, s) for s in (9, 0, 0)]


def ts(value: str | None) -> str | None:
    return value and f"{value}+00"


def seed(url: str) -> None:
    """Create the raw schema from scratch and fill it with the rows above."""
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in ("raw", "staging", "marts"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute((Path(__file__).parent / "raw_schema.sql").read_text())
        for cid, name, email, country, signup in CUSTOMERS:
            conn.execute("INSERT INTO raw.customers VALUES (%s,%s,%s,%s,%s,%s,1,now())",
                         (cid, name, email, country, signup, ts(f"{signup} 07:00")))
        for pid, name, category, price in PRODUCTS:
            conn.execute("INSERT INTO raw.products VALUES (%s,%s,%s,%s,%s,1,now())",
                         (pid, name, category, price, ts(f"{D1} 07:00")))
        for oid, cid, pid, qty, amount, status, at, deleted in ORDERS:
            conn.execute("INSERT INTO raw.orders VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,1,now())",
                         (oid, cid, pid, qty, amount, status, ts(at), ts(deleted or at), ts(deleted)))
        for pay_id, oid, amount, method, at in PAYMENTS:
            conn.execute("INSERT INTO raw.payments VALUES (%s,%s,%s,%s,%s,%s,1,now())",
                         (pay_id, oid, amount, method, ts(at), ts(at)))
        for rid, (day, score) in enumerate(NPS, start=900):
            conn.execute("INSERT INTO raw.nps_responses VALUES (%s,1,%s,'',%s,%s,null,1,now(),null)",
                         (rid, score, ts(f"{day} 12:00"), ts(f"{day} 12:00")))
        conn.execute(
            "INSERT INTO raw._loads (asset, status, started_at, finished_at) VALUES "
            "('raw/orders', 'success', now() - interval '3 hours', now() - interval '2 hours'),"
            "('raw/orders', 'failed', now() - interval '90 minutes', now() - interval '1 hour'),"
            "('raw/payments', 'running', now(), null)"
        )
