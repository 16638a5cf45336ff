"""A full ``dbt build`` (no vars) over hand-built raw rows: every mart equals the Python answer.

One build serves every test in this module. It proves the project lands where the contract says
(`staging` views, `marts` with the contracted materializations and columns) and that the business
rules hold: soft-deleted and cancelled orders never count, days are UTC days, NPS is exact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from . import catalog, expected
from .raw_data import seed


@pytest.fixture(scope="module")
def built(database_url, dbt):
    seed(database_url)
    result = dbt("build")
    assert result.returncode == 0, result.output[-3000:]
    return result


def test_build_runs_every_node_green(built):
    assert built.failed() == []
    models = {u.split(".")[-1] for u in built.statuses if u.startswith("model.")}
    assert set(catalog.CONTRACT) <= models and "stg_orders" in models
    assert "test.pipeline_platform.assert_revenue_never_negative" in built.statuses


def test_marts_match_the_contract(built, database_url):
    assert catalog.marts_relations(database_url) == catalog.CONTRACT
    types = catalog.marts_types(database_url)
    assert {key: types.get(key) for key in catalog.TYPES} == catalog.TYPES
    views = expected.rows(database_url, "SELECT table_name FROM information_schema.views WHERE table_schema = 'staging'")
    assert {v for (v,) in views} == {f"stg_{t}" for t in ("customers", "products", "orders", "payments", "nps_responses", "loads")}


def test_fct_orders_keeps_cancelled_and_drops_deleted(built, database_url):
    got = expected.rows(database_url, "SELECT order_id, status, order_date, paid_amount FROM marts.fct_orders ORDER BY 1")
    d1, d2 = dt.date(2026, 9, 1), dt.date(2026, 9, 2)
    assert got == [(100, "delivered", d1, Decimal("10.00")), (101, "placed", d1, Decimal("0.00")),
                   (102, "cancelled", d1, Decimal("0.00")), (104, "shipped", d2, Decimal("15.00")),
                   (105, "placed", d2, Decimal("0.00")), (106, "delivered", d1, Decimal("0.00"))]


def test_daily_revenue(built, database_url):
    got = expected.rows(database_url, "SELECT * FROM marts.mart_daily_revenue ORDER BY 1")
    assert got == expected.daily_revenue(database_url)
    assert got[0][:3] == (dt.date(2026, 9, 1), 3, Decimal("27.50"))  # 100 + 101 + 106


def test_nps_daily(built, database_url):
    got = expected.rows(database_url, "SELECT * FROM marts.mart_nps_daily ORDER BY 1")
    assert got == expected.nps_daily(database_url)
    assert [row[-1] for row in got] == [Decimal("14.29"), Decimal("-33.33")]


def test_customers(built, database_url):
    clv = expected.rows(database_url, "SELECT * FROM marts.customer_lifetime_value ORDER BY 1")
    assert clv == expected.lifetime_values(database_url)
    assert clv[2][3:5] == (0, Decimal("0.00"))  # Cy never ordered
    dim = expected.rows(database_url, "SELECT customer_id, order_count, first_order_date FROM marts.dim_customers ORDER BY 1")
    assert dim == [(cid, n, first) for cid, _, _, n, _, first, _ in clv]


def test_build_info(built, database_url):
    (info,) = expected.rows(database_url, "SELECT * FROM marts.mart_build_info")
    (success,) = expected.rows(database_url, "SELECT finished_at FROM raw._loads WHERE status = 'success'")
    assert info[0] == built.invocation_id
    assert info[2] == success[0]  # the later failed load does not count


def test_source_freshness(built, dbt):
    result = dbt("source", "freshness")
    assert result.returncode == 0, result.output[-3000:]
    assert len(result.statuses) == 6 and set(result.statuses.values()) == {"pass"}
