"""Fixtures for the automation tests: a persistent test instance and a loopback Slack API.

The fake Slack is a real ``http.server`` that ``slack_sdk.WebClient`` talks to over HTTP, so the
client's request building, status handling and headers are exercised, not mocked.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import dagster as dg
import pytest


class FakeSlack:
    def __init__(self):
        self.posts: list[dict] = []  # accepted chat.postMessage payloads
        self.attempts = 0
        self.script: list[tuple[int, dict]] = []  # (status, headers) per upcoming attempt
        self.fail_forever_with: int | None = None
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                kind = self.headers.get("Content-Type", "")
                payload = json.loads(body) if "json" in kind else {k: v[0] for k, v in parse_qs(body).items()}
                fake.attempts += 1
                status, headers = (fake.fail_forever_with, {}) if fake.fail_forever_with else (
                    fake.script.pop(0) if fake.script else (200, {})
                )
                ok = status == 200 and self.path.endswith("/chat.postMessage")
                if ok:
                    fake.posts.append({**payload, "auth": self.headers.get("Authorization")})
                data = json.dumps({"ok": ok, "error": None if ok else "ratelimited" if status == 429 else "fatal_error"})
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data.encode())

        return Handler


@pytest.fixture
def fake_slack(monkeypatch):
    fake = FakeSlack()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("PIPELINE_SLACK_BASE_URL", fake.url)
    monkeypatch.setenv("PIPELINE_SLACK_CHANNEL", "#data-alerts")
    monkeypatch.delenv("PIPELINE_SLACK_TEST_CHANNEL", raising=False)
    monkeypatch.setenv("PIPELINE_WEBSERVER_URL", "http://dagster.example:3000")
    yield fake
    fake.server.shutdown()


def _consolidated(tmp_path) -> dict:
    """One event log (like the platform's Postgres storage), not sqlite's per-run shards."""
    return {"event_log_storage": {
        "module": "dagster._core.storage.event_log", "class": "ConsolidatedSqliteEventLogStorage",
        "config": {"base_dir": str(tmp_path / "events")},
    }}


@pytest.fixture
def instance(tmp_path):
    with dg.instance_for_test(overrides=_consolidated(tmp_path)) as inst:
        yield inst


@pytest.fixture
def retrying_instance(tmp_path):
    """Run retries on (max 3), as a deployment with ``run_retries`` in dagster.yaml."""
    overrides = {**_consolidated(tmp_path), "run_retries": {"enabled": True, "max_retries": 3}}
    with dg.instance_for_test(overrides=overrides) as inst:
        yield inst
