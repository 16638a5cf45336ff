"""Fetching the next API page in a thread must not change what a load does or leave anything behind.

The API load overlaps fetching page N+1 with COPYing page N (``prefetch.Ahead``). These tests pin
the parts a plain loop got for free: pages arrive in order and complete, a failing load stops the
worker instead of letting it keep requesting pages, and a worker parked in a long ``Retry-After``
wait ends as soon as the load gives up.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pipeline_platform.ingestion.api.http_client import HttpClientResource
from pipeline_platform.ingestion.api.pagination import pages
from pipeline_platform.ingestion.api.prefetch import Ahead
from tests.ingestion.conftest import failure_message
from tests.ingestion.test_api import DAY, entry

PAGING = {"style": "page", "page_size": 10, "page_param": "page", "size_param": "page_size"}


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "api-pages-ahead" and t.is_alive()]


class ThrottlesAfterPageOne(BaseHTTPRequestHandler):
    """Page 1 holds 10 records; every later page answers 429 with a one-minute Retry-After."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        if "page=1" in self.path:
            status, body, extra = 200, json.dumps({"data": [{"id": i} for i in range(10)]}).encode(), {}
        else:
            status, body, extra = 429, b'{"error": "slow down"}', {"Retry-After": "60"}
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", "Content-Length": str(len(body)), **extra}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if status == 429:
            self.server.throttled.set()  # the client now has its Retry-After: 60 to wait out

    def log_message(self, *args):
        pass


def test_pages_arrive_in_order_and_complete(fault_server):
    client = HttpClientResource(timeout_seconds=5).client()
    with Ahead(pages(client, fault_server.url + "/things", {}, PAGING, "data"), on_close=client.close) as ahead:
        got = [r["thing_id"] for records, _ in ahead for r in records]
    assert got == list(range(1, 26))
    assert fault_server.hits["/things"] == 3 and not _workers()


def test_a_failing_load_stops_the_worker_and_changes_nothing(platform, fault_server):
    assert platform.materialize(platform.sources({"things": entry(fault_server.url, "/things")}), partition_key=DAY).success
    before = platform.rows("things")
    drifting = platform.sources({"things": entry(fault_server.url, "/drift")}, name="drift.yaml")
    result = platform.materialize(drifting, partition_key=DAY)
    assert not result.success and "['color']" in failure_message(result)
    assert not _workers()  # the load's worker ended with it, none keeps paging in the background
    assert platform.rows("things") == before


def test_closing_cuts_a_long_retry_wait_short():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ThrottlesAfterPageOne)
    server.hits, server.throttled, server.daemon_threads = [], threading.Event(), True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = HttpClientResource(timeout_seconds=5, max_retries=3).client()
        url = f"http://127.0.0.1:{server.server_address[1]}/items"
        ahead = Ahead(pages(client, url, {}, PAGING, "data"), on_close=client.close)
        first, _ = next(iter(ahead))
        assert len(first) == 10
        assert server.throttled.wait(30), "the worker never asked for page 2"  # it now waits out 60 s
        ahead.close(wait=30)
        assert not ahead._thread.is_alive(), "the worker sat out the Retry-After after the load stopped"
        assert len(server.hits) == 2  # and it never retried
    finally:
        server.shutdown()
        server.server_close()
