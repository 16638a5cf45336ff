"""The page when the warehouse is not as expected: marts missing, connections dropped, no server.

Each case must end in a clear message on the page (never a traceback), and a dropped connection,
what a Postgres restart does to the pool, must not even be visible.
"""

from __future__ import annotations

import psycopg
import pytest

from pipeline_platform.resources.warehouse import DATABASE_URL_ENV
from tests.dashboard_app.marts_data import demo_rows
from tests.dashboard_app.page import run_page, shown
from tests.helpers import free_port


@pytest.fixture
def rows(marts, dashboards_on_path):
    data = demo_rows()
    marts.build(data)
    return data


def test_pooled_connections_survive_a_server_side_drop(rows, marts):
    """What a Postgres restart does to the pool: every idle connection dies; pre-ping replaces them."""
    at = run_page()
    before = shown(at)
    with psycopg.connect(marts.url, autocommit=True) as conn:
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert killed >= 1  # the page's pooled connection
    run_page(at)
    assert not at.error and shown(at) == before


def test_missing_marts_show_how_to_build_them(clean_warehouse, dashboards_on_path):
    at = run_page()
    assert len(at.info) == 1
    message = at.info[0].value
    assert "no marts yet" in message and "make run" in message
    assert not at.metric and not at.error


def test_built_but_empty_marts_say_so(marts, dashboards_on_path):
    marts.build({"revenue": [], "nps": [], "customers": []})
    at = run_page()
    assert "hold no rows yet" in at.info[0].value and "Data as of" in at.caption[0].value
    assert not at.metric and not at.error


def test_unreachable_warehouse_shows_a_message(monkeypatch, dashboards_on_path):
    import pp_warehouse

    monkeypatch.setenv(DATABASE_URL_ENV, f"postgresql://nobody:x@127.0.0.1:{free_port()}/warehouse")
    pp_warehouse.engine.clear()  # the engine is per process; this test needs one on a dead server
    try:
        at = run_page()
    finally:
        pp_warehouse.engine().dispose()
        pp_warehouse.engine.clear()  # later tests get the session warehouse again
    assert "Could not read the marts (OperationalError)" in at.error[0].value
    assert not at.metric and not at.exception
