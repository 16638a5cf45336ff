"""The deployed dashboard in headless Chromium: KPIs and both charts, new data, a Postgres restart.

After a real dbt build and a real ``deploy_dashboard`` materialization, the browser must see the
numbers the seeded raw rows imply; after new raw rows, a dbt run and a redeploy (same pid), a
reload must show the new numbers; after Postgres restarts, the next reload must still render.
Playwright never downloads a browser: it drives Debian's Chromium, and only a laptop without it
skips (in CI, ``CI=true``, a missing Chromium fails).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dashboard_deploy.support import REPO, add_order, deploy, facts

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    return CHROMIUM


def check_page(page, revenue: str, orders: str) -> None:
    from playwright.sync_api import expect

    metrics = page.locator(".st-key-pp_kpis [data-testid='stMetric']")
    expect(metrics).to_have_count(3, timeout=30_000)
    expect(metrics.nth(0).get_by_test_id("stMetricValue")).to_have_text(revenue, timeout=30_000)
    expect(metrics.nth(1).get_by_test_id("stMetricValue")).to_have_text(orders)
    expect(metrics.nth(2).get_by_test_id("stMetricValue")).to_have_text("0.00")  # 4 promoters, 4 detractors of 10
    for key, mark in (("pp_revenue_chart", "mark-rect"), ("pp_nps_chart", "mark-symbol")):
        chart = page.locator(f".st-key-{key} [data-testid='stVegaLiteChart'] svg.marks")
        expect(chart).to_be_visible(timeout=30_000)
        expect(chart.locator(f"g.{mark} path")).to_have_count(2)  # one per seeded day
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, (key, box)


@pytest.mark.browser
def test_deployed_dashboard_renders_follows_new_data_and_survives_a_postgres_restart(
    chromium, built_warehouse, app_dir, port
):
    from playwright.sync_api import sync_playwright

    settings = {"app_dir": str(app_dir), "port": port, "timeout_seconds": 45}
    first = facts(deploy(built_warehouse.url, **settings))
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(first["dagster/uri"], wait_until="domcontentloaded")
            check_page(page, "55.00", "5")  # seeded raw rows: 5 live, non-cancelled orders

            add_order(built_warehouse.url, 107, "50.00")
            version = built_warehouse.rebuild("+mart_daily_revenue", "+customer_lifetime_value", "mart_build_info")
            again = facts(deploy(built_warehouse.url, **settings))
            assert again["pid"] == first["pid"] and again["data_version"] == version
            page.reload(wait_until="domcontentloaded")
            check_page(page, "105.00", "6")
            page.screenshot(path=str(ARTIFACTS / "dashboard_deploy.png"), full_page=True)

            built_warehouse.stop()
            built_warehouse.start()
            page.reload(wait_until="domcontentloaded")
            check_page(page, "105.00", "6")
        finally:
            browser.close()
    assert (ARTIFACTS / "dashboard_deploy.png").stat().st_size > 10_000
