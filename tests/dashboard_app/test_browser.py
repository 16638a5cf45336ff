"""The page in a real browser (Debian's Chromium driven by Playwright): KPIs and both charts render.

AppTest never runs the frontend, so only a browser proves the charts actually draw. Playwright must
never download a browser: we point it at the system Chromium, and skip only on a laptop without one;
in CI (``CI=true``) a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.dashboard_app.kpi_oracle import expected
from tests.dashboard_app.marts_data import DASHBOARDS, demo_rows

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = DASHBOARDS.parent / "test-artifacts"


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.mark.browser
def test_page_renders_kpis_and_charts(chromium, marts, dashboard_server):
    from playwright.sync_api import expect, sync_playwright

    rows = demo_rows()
    marts.build(rows)
    last = rows["revenue"][-1][0]
    want = expected(rows, last - timedelta(days=29), last)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(dashboard_server, wait_until="domcontentloaded")
            metrics = page.locator(".st-key-pp_kpis [data-testid='stMetric']")
            expect(metrics).to_have_count(3, timeout=30_000)
            for index, label in enumerate(("Revenue", "Orders", "NPS")):
                expect(metrics.nth(index).get_by_test_id("stMetricLabel")).to_contain_text(label)
                expect(metrics.nth(index).get_by_test_id("stMetricValue")).to_have_text(want[label][0])
            # one bar and one NPS point per day of the default 30-day range, drawn by Vega as SVG
            for key, mark in (("pp_revenue_chart", "mark-rect"), ("pp_nps_chart", "mark-symbol")):
                chart = page.locator(f".st-key-{key} [data-testid='stVegaLiteChart'] svg.marks")
                expect(chart).to_be_visible(timeout=30_000)
                expect(chart.locator(f"g.{mark} path")).to_have_count(30)
                box = chart.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100, (key, box)
            expect(page.locator(".st-key-pp_data_as_of")).to_contain_text("Data as of 2026-11-14 06:30 UTC")
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
