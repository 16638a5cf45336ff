"""Postgres restarts under a running dashboard: the app recovers on the next request, no redeploy.

The app's engine pings pooled connections before use, so after the warehouse comes back the next
``/_pp/data_version`` (and page load, see test_browser) must work again from the same process. The
restart hits this folder's throwaway server only, never the session's shared one.
"""

from __future__ import annotations

import time

from tests.dashboard_deploy.support import deploy, facts, served


def test_app_recovers_after_postgres_restart(built_warehouse, app_dir, port):
    url = f"http://127.0.0.1:{port}"
    before = facts(deploy(built_warehouse.url, app_dir=str(app_dir), port=port, timeout_seconds=45))
    assert served(url).status_code == 200

    built_warehouse.stop()
    try:
        down = served(url)
        assert down.status_code == 503 and down.json()["data_version"] is None, down.text
        assert "error" in down.json()
    finally:
        built_warehouse.start()

    deadline = time.monotonic() + 20
    while (answer := served(url)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data_version"] == built_warehouse.version

    after = facts(deploy(built_warehouse.url, app_dir=str(app_dir), port=port, timeout_seconds=45))
    assert after["pid"] == before["pid"] and after["reused"] is True
