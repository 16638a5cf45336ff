"""fct_orders as Dagster drives it: one daily window at a time, through vars min_date/max_date.

The raw tables already hold two days when the first window runs, so each step proves the window
really filters. Then day 3 cancels one day-1 order and soft-deletes another: the day-3 window
must carry both changes back to day 1 (status updated, deleted row removed), a late payment
must update paid_amount, and revenue follows.
Last, a negative amount on day 4 must fail the build on the revenue guard (orchestration trusts
dbt's exit status). One module fixture runs the sequence and keeps a snapshot after every step.
"""

from __future__ import annotations

import pytest

from . import expected, raw_changes
from .raw_data import seed

FCT = "SELECT * FROM marts.fct_orders ORDER BY order_id"
OIDS = ("SELECT relname, oid::bigint FROM pg_class WHERE relname IN "
        "('stg_nps_responses', 'stg_orders', 'fct_orders', 'mart_nps_daily', 'mart_daily_revenue') ORDER BY 1")


def window(day: int) -> dict:
    return {"min_date": f"2026-09-{day:02d}", "max_date": f"2026-09-{day + 1:02d}"}


@pytest.fixture(scope="module")
def steps(database_url, dbt):
    seed(database_url)
    snapshots = {}

    def build(name: str, day: int) -> None:
        result = dbt("build", vars=window(day))
        assert result.returncode == 0 and result.failed() == [], result.output[-3000:]
        snapshots[name] = expected.rows(database_url, FCT)
        snapshots.setdefault("oids", []).append(expected.rows(database_url, OIDS))

    build("day1", 1)
    build("day1_again", 1)
    build("day2", 2)
    raw_changes.apply(database_url, raw_changes.DAY3)
    build("day3", 3)
    raw_changes.apply(database_url, raw_changes.NEGATIVE_DAY4)
    snapshots["broken"] = dbt("build", vars=window(4))
    return snapshots


def ids(snapshot) -> list[int]:
    return [row[0] for row in snapshot]


def test_first_window_selects_only_its_day(steps):
    assert ids(steps["day1"]) == [100, 101, 102, 106]  # 103 is soft-deleted; day-2 orders wait


def test_same_window_again_changes_nothing(steps):
    assert steps["day1_again"] == steps["day1"]


def test_next_window_adds_only_its_day(steps):
    added = [row for row in steps["day2"] if row not in steps["day1"]]
    assert ids(added) == [104, 105]
    assert [row for row in steps["day2"] if row[0] not in (104, 105)] == steps["day1"]


def test_rebuilds_keep_relations_in_place(steps):
    """Views are replaced and materialized views refreshed in place, never dropped and re-created
    (a dashboard reading mart_nps_daily mid-build must not see it vanish)."""
    first, *later = steps["oids"]
    assert len(first) == 5 and all(oids == first for oids in later)


def test_later_window_applies_cancellation_and_deletion(steps, database_url):
    by_id = {row[0]: row for row in steps["day3"]}
    assert sorted(by_id) == [100, 102, 104, 105, 106]  # 101 was soft-deleted on day 3
    assert by_id[100][5] == "cancelled" and by_id[106][8] == 5
    untouched = [r for r in steps["day2"] if r[0] in (102, 104, 105)]
    assert [r for r in steps["day3"] if r[0] in (102, 104, 105)] == untouched
    revenue = expected.rows(database_url, "SELECT * FROM marts.mart_daily_revenue ORDER BY 1")
    assert revenue == expected.daily_revenue(database_url)
    assert revenue[0][1:3] == (1, 5)  # day 1: only order 106 still counts
    clv = expected.rows(database_url, "SELECT * FROM marts.customer_lifetime_value ORDER BY 1")
    assert clv == expected.lifetime_values(database_url)


def test_negative_revenue_fails_the_build(steps):
    broken = steps["broken"]
    assert broken.returncode == 1, broken.output[-3000:]
    errors = sorted(u for u, s in broken.statuses.items() if s in ("fail", "error"))
    assert errors == ["test.pipeline_platform.assert_revenue_never_negative"]
    # The failed test blocks what is built on the revenue mart: the data version is not bumped.
    assert broken.statuses["model.pipeline_platform.mart_build_info"] == "skipped"
