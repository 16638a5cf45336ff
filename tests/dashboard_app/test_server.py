"""The real server, started with the documented command: health, the page, and the data-version route.

A deploy step trusts ``GET /_pp/data_version`` to prove the running server reads the warehouse it
just built, so the answer must follow ``marts.mart_build_info`` live, with no restart in between.
"""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import requests

from tests.dashboard_app.marts_data import demo_rows


def data_version(url: str) -> dict:
    response = requests.get(f"{url}/_pp/data_version", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    return response.json()


def in_database(database_url: str) -> tuple[str, datetime]:
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT data_version, data_as_of FROM marts.mart_build_info").fetchone()


def test_data_version_endpoint_follows_the_warehouse(dashboard_server, marts):
    url = dashboard_server
    assert data_version(url) == {"data_version": None, "data_as_of": None}  # marts not built yet

    marts.build(demo_rows())
    version, as_of = in_database(marts.url)
    body = data_version(url)
    assert body["data_version"] == version
    assert datetime.fromisoformat(body["data_as_of"]) == as_of

    new_as_of = datetime(2026, 11, 15, 7, 45, tzinfo=timezone.utc)
    new_version = marts.set_build_info(new_as_of)
    body = data_version(url)
    assert body["data_version"] == new_version == in_database(marts.url)[0]
    assert datetime.fromisoformat(body["data_as_of"]) == new_as_of

    # Streamlit's own routes keep working next to ours
    assert requests.get(f"{url}/_stcore/health", timeout=10).text == "ok"
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
