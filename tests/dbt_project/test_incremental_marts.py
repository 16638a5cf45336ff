"""The incremental marts after a sequence of daily windows equal a full rebuild of the same raw rows.

dim_customers, customer_lifetime_value, mart_daily_revenue and mart_nps_daily re-select only the
keys their window touched, so a key they miss stays wrong for ever. The sequence builds days 1
and 2, then day 3 brings late changes to day 1 and 2 (a cancellation, a soft delete, a late
payment, a renamed customer, an NPS answer for day 1 arriving late) and day 4 more (day 2 loses
every counted order, an NPS answer is corrected, one for day 1 is withdrawn, a customer without
orders orders); on day 5 every day-2 NPS answer is erased from the source, which only the load's
``_deleted_at`` records. After every window that covered all raw changes the marts must equal the
answers computed in Python (``expected.py``); after the last one, also a ``dbt build
--full-refresh`` of the same rows, relation by relation.
"""

from __future__ import annotations

import pytest

from . import expected, raw_changes
from .raw_data import seed

MARTS = ("fct_orders", "dim_customers", "customer_lifetime_value", "mart_daily_revenue", "mart_nps_daily")


def window(day: int) -> dict:
    return {"min_date": f"2026-09-{day:02d}", "max_date": f"2026-09-{day + 1:02d}"}


def marts(url: str) -> dict[str, list[tuple]]:
    return {name: expected.rows(url, f"SELECT * FROM marts.{name} ORDER BY 1") for name in MARTS}


def python_answers(url: str) -> dict[str, list[tuple]]:
    clv = expected.lifetime_values(url)
    return {
        "mart_daily_revenue": expected.daily_revenue(url),
        "mart_nps_daily": expected.nps_daily(url),
        "customer_lifetime_value": clv,
        "dim_customers": [(cid, n, first) for cid, _, _, n, _, first, _ in clv],
    }


def customer_columns(url: str) -> list[tuple]:
    return expected.rows(url, "SELECT customer_id, order_count, first_order_date FROM marts.dim_customers ORDER BY 1")


@pytest.fixture(scope="module")
def steps(database_url, dbt):
    seed(database_url)
    snapshots = {}

    def build(name: str, **kwargs) -> None:
        result = dbt("build", **kwargs)
        assert result.returncode == 0 and result.failed() == [], result.output[-3000:]
        snapshots[name] = {"marts": marts(database_url), "answers": python_answers(database_url),
                           "dim": customer_columns(database_url),
                           "names": expected.rows(database_url, "SELECT customer_id, name FROM marts.dim_customers ORDER BY 1")}

    build("day1", vars=window(1))
    build("day2", vars=window(2))
    raw_changes.apply(database_url, raw_changes.DAY3 + raw_changes.LATE_DAY3)
    build("day3", vars=window(3))
    raw_changes.apply(database_url, raw_changes.LATE_DAY4)
    build("day4", vars=window(4))
    raw_changes.apply(database_url, raw_changes.LATE_DAY5)
    build("day5", vars=window(5))
    result = dbt("build", "--full-refresh")
    assert result.returncode == 0 and result.failed() == [], result.output[-3000:]
    snapshots["rebuilt"] = marts(database_url)
    return snapshots


@pytest.mark.parametrize("day", ["day2", "day3", "day4", "day5"])
def test_incremental_marts_equal_the_answers_after_each_day(steps, day):
    """From day 2 on every raw row has been in some window, so every mart must be exact."""
    got, answers = steps[day]["marts"], steps[day]["answers"]
    for name in ("mart_daily_revenue", "mart_nps_daily", "customer_lifetime_value"):
        assert got[name] == answers[name], name
    assert steps[day]["dim"] == answers["dim_customers"]


def test_incremental_marts_equal_a_full_rebuild(steps):
    assert steps["day5"]["marts"] == steps["rebuilt"]


def test_late_changes_reach_back(steps):
    day2, day3, day4 = (steps[d]["marts"] for d in ("day2", "day3", "day4"))
    revenue = {d: {row[0].day: row[1:3] for row in s["mart_daily_revenue"]} for d, s in
               (("day2", day2), ("day3", day3), ("day4", day4))}
    assert revenue["day2"][1] != revenue["day3"][1]  # day 1 changed by the day-3 window
    assert 2 in revenue["day3"] and 2 not in revenue["day4"]  # day 2 lost every counted order
    nps = {d: {row[0].day: row[1] for row in steps[d]["marts"]["mart_nps_daily"]} for d in ("day2", "day3", "day4", "day5")}
    assert nps["day3"][1] == nps["day2"][1] + 1  # the late answer for day 1
    assert nps["day4"][1] == nps["day3"][1] - 1  # a day-1 answer withdrawn on day 4
    assert 2 in nps["day4"] and 2 not in nps["day5"]  # day 2's answers erased: its row goes
    assert dict(steps["day3"]["names"])[3] == "Cyd"  # a customer change alone re-selects the customer
    assert dict((cid, n) for cid, n, _ in steps["day4"]["dim"])[3] == 1  # and so does a first order
