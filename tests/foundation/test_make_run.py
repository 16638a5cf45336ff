"""``make run`` end to end: every asset built against a real Postgres, twice, with equal row counts.

It runs the same command the Makefile runs, in a subprocess, pointed at the test session's server
through ``PIPELINE_DATABASE_URL``, which also proves an external URL is honoured (no embedded server
starts in the state folder). The same runs are the issue 8 secrets check: the database password,
the demo API's bearer token and the Slack token are marker strings, a third run fails on an API
that echoes the auth header, the real Slack alert sensors report it, and then no log, table, file
or message may contain a marker (tests/reliability/secret_run.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests

from tests.automation.conftest import FakeSlack
from tests.browser import CHROMIUM, chromium_page, expect_charts, expect_kpis, screenshot
from tests.helpers import free_port, platform_env
from tests.reliability.leak_search import EchoingApi
from tests.reliability.secret_run import AlertTicker, Secrets, leaks

pytestmark = pytest.mark.slow


def run_cli(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "pipeline_platform.cli", *args], env=env, capture_output=True, text=True, timeout=900
    )


def row_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^  ((?:raw|staging|marts)\.\w+): (\d+)$", output, re.M)}


def test_make_run_builds_everything_twice_with_stable_counts(clean_warehouse, tmp_path, monkeypatch, caplog, fault_tally):
    secrets = Secrets(clean_warehouse, FakeSlack())
    env = platform_env(
        **secrets.env,
        PIPELINE_STATE_DIR=tmp_path / "state",
        PIPELINE_DEMO_API_URL=f"http://127.0.0.1:{free_port()}",
        PIPELINE_DASHBOARD_PORT=free_port(),
        PIPELINE_DBT_DOCS_URL=f"http://127.0.0.1:{free_port()}",
        # A fixed demo clock: two weeks of shop history, whatever today's date is.
        PIPELINE_DEMO_AS_OF="2026-09-15T00:00:00+00:00",
    )
    try:
        first = run_cli(env, "run")
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
        dashboard = re.search(r"^Dashboard: (http://127\.0\.0\.1:\d+)$", first.stdout, re.M)
        assert dashboard, first.stdout
        assert requests.get(dashboard.group(1) + "/_stcore/health", timeout=10).status_code == 200
        if CHROMIUM.exists() or os.environ.get("CI") == "true":  # a laptop without Chromium skips this part
            assert_dashboard_renders(dashboard.group(1))
        counts = row_counts(first.stdout)
        assert counts["raw.orders"] > 0 and counts["marts.fct_orders"] > 0 and counts["marts.mart_daily_revenue"] > 0
        assert "Checks:" in first.stdout and " 0 failed" in first.stdout

        second = run_cli(env, "run")
        assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
        again = row_counts(second.stdout)
        # The audit table gains one row per load and run; every data table must be unchanged.
        assert again.pop("raw._loads") > counts.pop("raw._loads")
        assert again.pop("staging.stg_loads") > counts.pop("staging.stg_loads")  # the summary counts views too
        assert again == counts
        assert not (tmp_path / "state" / "pgdata").exists(), "an external URL must not start the embedded server"

        alerts = AlertTicker(secrets, tmp_path / "state", monkeypatch)
        alerts.tick()  # the sensors' first tick starts from "now"
        echo = EchoingApi()  # a failing run: the API answers 401 and repeats the Authorization header
        try:
            failing = run_cli({**env, "PIPELINE_DEMO_API_URL": echo.url}, "run", "--days", "1")
        finally:
            echo.close()
        assert failing.returncode == 1 and "not deployed" in failing.stdout, failing.stdout[-4000:] + failing.stderr[-4000:]
        with caplog.at_level("DEBUG"):
            alerts.tick()
    finally:
        stopped = run_cli(env, "stop")
        secrets.slack.server.shutdown()
    assert "stopped dashboard" in stopped.stdout and "stopped dbt docs server" in stopped.stdout
    outputs = [r.stdout + r.stderr for r in (first, second, failing)]
    found = leaks(secrets, clean_warehouse, tmp_path / "state", outputs, caplog.text)
    fault_tally.record("Secrets set to markers, whole graph + failing run", tries=3, leaked=sum(found.values()),
                       detail=", ".join(f"{k}: {v}" for k, v in found.items()))
    assert secrets.slack.posts and {p["auth"] for p in secrets.slack.posts} == {f"Bearer {secrets.slack_token}"}
    assert any("raw/orders" in p["text"] and "HTTP 401" in p["text"] for p in secrets.slack.posts), secrets.slack.posts
    assert found == {}, found



def assert_dashboard_renders(url: str) -> None:
    """Headless Chromium on the dashboard `make run` deployed: three KPIs and both charts drawn."""
    with chromium_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        digits = re.compile(r"\d")
        expect_kpis(page, {"Revenue": digits, "Orders": digits, "NPS": digits}, timeout=60_000)
        expect_charts(page, timeout=60_000)
        screenshot(page, "make_run_dashboard.png")
