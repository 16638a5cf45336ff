"""The page in a real browser (Debian's Chromium driven by Playwright): KPIs and both charts render.

AppTest never runs the frontend, so only a browser proves the charts actually draw. Playwright must
never download a browser: we point it at the system Chromium, and skip only on a laptop without one;
in CI (``CI=true``) a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser import chromium_page, expect_charts, expect_kpis, require_chromium, screenshot
from tests.dashboard_app.kpi_oracle import expected
from tests.dashboard_app.marts_data import demo_rows


@pytest.mark.browser
def test_page_renders_kpis_and_charts(marts, dashboard_server):
    from playwright.sync_api import expect

    require_chromium()
    rows = demo_rows()
    marts.build(rows)
    last = rows["revenue"][-1][0]
    want = expected(rows, last - timedelta(days=29), last)
    with chromium_page() as page:
        page.goto(dashboard_server, wait_until="domcontentloaded")
        expect_kpis(page, {label: want[label][0] for label in ("Revenue", "Orders", "NPS")})
        expect_charts(page, marks=30)  # one bar and one NPS point per day of the default 30-day range
        expect(page.locator(".st-key-pp_data_as_of")).to_contain_text("Data as of 2026-11-14 06:30 UTC")
        screenshot(page, "dashboard.png")
