"""Headless Chromium for the dashboard tests: one launcher and one set of page checks.

Playwright must never download a browser, so it drives Debian's Chromium. A laptop without it skips
browser tests; CI (``CI=true``, where ``.ci/run`` installs it) fails instead.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def require_chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def chromium_page():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(require_chromium()), headless=True, args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1100})
        finally:
            browser.close()


def expect_kpis(page, values: dict[str, object], timeout: int = 30_000) -> None:
    """The three KPI metrics, labelled in order, with values (text or regex) as given."""
    from playwright.sync_api import expect

    metrics = page.locator(".st-key-pp_kpis [data-testid='stMetric']")
    expect(metrics).to_have_count(3, timeout=timeout)
    for index, (label, value) in enumerate(values.items()):
        expect(metrics.nth(index).get_by_test_id("stMetricLabel")).to_contain_text(label)
        expect(metrics.nth(index).get_by_test_id("stMetricValue")).to_have_text(value, timeout=timeout)


def expect_charts(page, marks: int | None = None, timeout: int = 30_000) -> None:
    """Both Vega charts drawn as SVG: ``marks`` bars/points each, or at least one."""
    from playwright.sync_api import expect

    for key, mark in (("pp_revenue_chart", "mark-rect"), ("pp_nps_chart", "mark-symbol")):
        chart = page.locator(f".st-key-{key} [data-testid='stVegaLiteChart'] svg.marks")
        expect(chart).to_be_visible(timeout=timeout)
        paths = chart.locator(f"g.{mark} path")
        if marks is None:
            expect(paths.first).to_be_attached(timeout=timeout)
        else:
            expect(paths).to_have_count(marks, timeout=timeout)
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, (key, box)


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path
