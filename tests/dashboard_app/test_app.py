"""The page, run by Streamlit's AppTest against real marts in the embedded Postgres.

KPIs are recomputed (``kpi_oracle``) from the rows the test wrote, so a wrong window, a wrong
previous period or an averaged NPS shows up as a wrong number on the page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.dashboard_app.kpi_oracle import expected
from tests.dashboard_app.marts_data import demo_rows
from tests.dashboard_app.page import block_types, run_page, shown

@pytest.fixture
def rows(marts, dashboards_on_path):
    data = demo_rows()
    marts.build(data)
    return data


def test_default_range_is_last_30_days_with_exact_kpis(rows):
    at = run_page()
    last = rows["revenue"][-1][0]
    start = last - timedelta(days=29)
    assert at.date_input(key="pp_date_range").value == (start, last)
    assert shown(at) == expected(rows, start, last)
    # NPS over a range is not the mean of daily NPS (the data is built so the two differ)
    daily = [r[5] for r in rows["nps"] if start <= r[0] <= last]
    assert f"{sum(daily) / len(daily):.2f}" != shown(at)["NPS"][0]
    assert block_types(at, "pp_revenue_chart") == block_types(at, "pp_nps_chart") == ["vega_lite_chart"]
    assert block_types(at, "pp_kpis") == ["metric"] * 3
    assert "Data as of 2026-11-14 06:30 UTC" in at.caption[0].value
    assert at.dataframe[0].value["customer_id"].tolist()[:3] == [1, 2, 3]


def test_date_filter_changes_the_numbers(rows):
    at = run_page()
    before = shown(at)
    start, end = date(2026, 9, 10), date(2026, 9, 16)
    at.date_input(key="pp_date_range").set_value((start, end))
    run_page(at)
    assert shown(at) == expected(rows, start, end)
    assert shown(at) != before
    # a range that starts with the data has no previous period: no delta, not a delta against zero
    at.date_input(key="pp_date_range").set_value((date(2026, 9, 1), date(2026, 9, 5)))
    run_page(at)
    assert all(delta is None for _, delta in shown(at).values())


def test_new_data_version_shows_on_next_run_without_clearing_caches(rows, marts):
    at = run_page()
    before = shown(at)
    newer = demo_rows(scale=3, days=80)  # new amounts, five more days, a new data_version
    marts.build(newer)
    run_page(at)  # same session, no cache cleared: the untouched default range follows the data
    last = newer["revenue"][-1][0]
    assert at.date_input(key="pp_date_range").value == (last - timedelta(days=29), last)
    assert shown(at) == expected(newer, last - timedelta(days=29), last) != before
    chosen = (date(2026, 9, 10), date(2026, 9, 20))  # a range the user picked stays put
    at.date_input(key="pp_date_range").set_value(chosen)
    run_page(at)
    marts.build(demo_rows(scale=5, days=85))
    run_page(at)
    assert at.date_input(key="pp_date_range").value == chosen
    assert shown(at) == expected(demo_rows(scale=5, days=85), *chosen)


def test_nps_rounds_half_away_from_zero_like_postgres(dashboards_on_path):
    import pp_kpis

    assert pp_kpis.nps_score(1, 0, 32) == 3.13 and pp_kpis.nps_score(0, 1, 32) == -3.13
    assert pp_kpis.nps_score(0, 0, 0) is None
