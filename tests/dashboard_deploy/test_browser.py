"""The deployed dashboard in headless Chromium: KPIs and both charts, new data, a Postgres restart.

After a real dbt build and a real ``deploy_dashboard`` materialization, the browser must see the
numbers the seeded raw rows imply; after new raw rows, a dbt run and a redeploy (same pid), a
reload must show the new numbers; after Postgres restarts, the next reload must still render.
Playwright never downloads a browser: it drives Debian's Chromium, and only a laptop without it
skips (in CI, ``CI=true``, a missing Chromium fails).
"""

from __future__ import annotations

import pytest

from tests.browser import chromium_page, expect_charts, expect_kpis, require_chromium, screenshot
from tests.dashboard_deploy.support import add_order, deploy, facts


def check_page(page, revenue: str, orders: str) -> None:
    expect_kpis(page, {"Revenue": revenue, "Orders": orders, "NPS": "0.00"})  # 4 promoters, 4 detractors of 10
    expect_charts(page, marks=2)  # one per seeded day


@pytest.mark.browser
def test_deployed_dashboard_renders_follows_new_data_and_survives_a_postgres_restart(
    built_warehouse, app_dir, port
):
    require_chromium()
    settings = {"app_dir": str(app_dir), "port": port, "timeout_seconds": 45}
    first = facts(deploy(built_warehouse.url, **settings))
    with chromium_page() as page:
        page.goto(first["dagster/uri"], wait_until="domcontentloaded")
        check_page(page, "55.00", "5")  # seeded raw rows: 5 live, non-cancelled orders

        add_order(built_warehouse.url, 107, "50.00")
        version = built_warehouse.rebuild("+mart_daily_revenue", "+customer_lifetime_value", "mart_build_info")
        again = facts(deploy(built_warehouse.url, **settings))
        assert again["pid"] == first["pid"] and again["data_version"] == version
        page.reload(wait_until="domcontentloaded")
        check_page(page, "105.00", "6")
        screenshot(page, "dashboard_deploy.png")

        built_warehouse.stop()
        built_warehouse.start()
        page.reload(wait_until="domcontentloaded")
        check_page(page, "105.00", "6")
