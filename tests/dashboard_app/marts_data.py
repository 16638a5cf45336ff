"""Hand-built marts for the dashboard tests: plain tables with the data contract's columns.

The dashboard must be tested against numbers the test itself knows, not against whatever dbt happens
to produce, so each test writes its own rows and its own ``data_version`` (a fresh one per build:
Streamlit's caches are process-wide and keyed by that version, exactly as in production).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import psycopg

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"
FIRST_DAY = date(2026, 9, 1)
DAYS = 75

DDL = """
CREATE SCHEMA marts;
CREATE TABLE marts.mart_daily_revenue (order_date date, orders bigint, revenue numeric(14,2), customers bigint);
CREATE TABLE marts.mart_nps_daily (response_date date, responses bigint, promoters bigint, passives bigint,
    detractors bigint, nps numeric(6,2));
CREATE TABLE marts.customer_lifetime_value (customer_id bigint, name text, country text, orders bigint,
    lifetime_value numeric(14,2), first_order_date date, last_order_date date);
CREATE TABLE marts.mart_build_info (data_version text, built_at timestamptz, data_as_of timestamptz);
"""


def demo_rows(scale: int = 1, days: int = DAYS) -> dict[str, list[tuple]]:
    """Deterministic daily rows; ``scale`` multiplies revenue so a rebuild visibly changes numbers."""
    revenue, nps = [], []
    for i in range(days):
        day = FIRST_DAY + timedelta(days=i)
        orders = 10 + i % 7
        revenue.append((day, orders, Decimal(orders * 37 + i % 11) * scale + Decimal("0.25"), orders - 2))
        responses = 5 + i % 4
        promoters, detractors = (i * 3) % (responses + 1), i % 2
        detractors = min(detractors, responses - promoters)
        passives = responses - promoters - detractors
        score = round(Decimal(100 * (promoters - detractors)) / responses, 2)
        nps.append((day, responses, promoters, passives, detractors, score))
    customers = [
        (c, f"Customer {c}", "DE" if c % 2 else "FR", c % 5 + 1, Decimal(1000 - c * 7) * scale, FIRST_DAY, FIRST_DAY)
        for c in range(1, 31)
    ]
    return {"revenue": revenue, "nps": nps, "customers": customers}


class Marts:
    """Writes the marts of the session warehouse; each ``build`` is a new data version."""

    def __init__(self, url: str):
        self.url = url

    def build(self, rows: dict[str, list[tuple]], as_of: datetime | None = None) -> str:
        version = uuid.uuid4().hex
        as_of = as_of or datetime(2026, 11, 14, 6, 30, tzinfo=timezone.utc)
        with psycopg.connect(self.url) as conn:
            conn.execute("DROP SCHEMA IF EXISTS marts CASCADE")
            conn.execute(DDL)
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO marts.mart_daily_revenue VALUES (%s, %s, %s, %s)", rows["revenue"])
                cur.executemany("INSERT INTO marts.mart_nps_daily VALUES (%s, %s, %s, %s, %s, %s)", rows["nps"])
                cur.executemany(
                    "INSERT INTO marts.customer_lifetime_value VALUES (%s, %s, %s, %s, %s, %s, %s)", rows["customers"]
                )
            conn.execute("INSERT INTO marts.mart_build_info VALUES (%s, now(), %s)", (version, as_of))
        return version

    def set_build_info(self, as_of: datetime) -> str:
        version = uuid.uuid4().hex
        with psycopg.connect(self.url) as conn:
            conn.execute("UPDATE marts.mart_build_info SET data_version = %s, data_as_of = %s", (version, as_of))
        return version
