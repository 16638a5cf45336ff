"""The real server, started as a deploy starts it: health, the page, and the platform's data-version route.

A deploy step trusts ``GET /_pp/data_version`` (served by the platform's entry wrapper, not by the
app) to prove the running server reads the warehouse it just built, so the answer must follow the
exposure's relations live, with no restart in between, and equal what the platform computes itself.
"""

from __future__ import annotations

import requests

from pipeline_platform.dashboard.verify import warehouse_data_version
from tests.dashboard_app.marts_data import demo_rows


def data_version(url: str) -> dict:
    response = requests.get(f"{url}/_pp/data_version", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def test_data_version_endpoint_follows_the_warehouse(dashboard_server, marts, demo_exposure):
    url = dashboard_server

    def platform() -> str:
        return warehouse_data_version(marts.url, demo_exposure.relations, demo_exposure.in_place)

    assert data_version(url) == {"data_version": None}  # marts not built yet

    marts.build(demo_rows())
    first = platform()
    assert data_version(url) == {"data_version": first}
    assert data_version(url) == {"data_version": first}  # stable while nothing is written

    marts.build(demo_rows(scale=2))  # a rebuild: new tables, as dbt swaps them in
    second = platform()
    assert second != first
    assert data_version(url) == {"data_version": second}

    # Streamlit's own routes keep working next to the platform's
    assert requests.get(f"{url}/_stcore/health", timeout=10).text == "ok"
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
