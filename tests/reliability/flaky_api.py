"""A loopback JSON API whose faults, data changes and page shapes a test scripts request by request.

``faults`` is consumed one entry per request (``None`` serves the page): throttling with and without
``Retry-After``, 5xx, a response slower than the client's timeout, a dropped connection, and a body
that breaks off after its headers (``cut``: the connection closes half-way; ``stall``: the rest
comes after the client's timeout), which the client meets while reading, not connecting. Between
pages ``after_page`` may change the data (records inserted ahead of the offset, versions moved), and
``shape`` may rewrite a page (a new field, a dropped one, a changed type), so every fault is real
HTTP against the real loader. ``served`` keeps what the latest extract (``offset=0`` onwards) got.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from tests.loopback import LoopbackServer

FAULTS = ("429", "429-date", "429-bare", "500", "502", "503", "timeout", "drop", "cut", "stall")


class FlakyApi(LoopbackServer):
    keep_alive = True

    def __init__(self, records: list[dict], slow_seconds: float = 0.6):
        self.records, self.slow = list(records), slow_seconds
        self.faults: list = []  # consumed front to back, one per request
        self.after_page = None  # f(api, served_page) between pages
        self.shape = None  # f(page_number, records) -> records
        self.requests, self.injected, self.served = 0, Counter(), []
        self.lock = threading.Lock()
        self.start()

    def handle(self, req):
        q = {k: v[0] for k, v in parse_qs(urlsplit(req.path).query).items()}
        with self.lock:
            self.requests += 1
            fault = self.faults.pop(0) if self.faults else None
            if fault:
                self.injected[fault] += 1
            else:
                body = self.page(q)
        if fault in ("429", "429-date", "429-bare"):
            after = {"429": {"Retry-After": "0"}, "429-date": {"Retry-After": "Thu, 01 Jan 2026 00:00:00 GMT"}}
            return self.send(req, 429, b'{"error": "slow down"}', after.get(fault, {}))
        if fault in ("500", "502", "503"):
            return self.send(req, int(fault), b'{"error": "upstream hiccup"}')
        if fault == "drop":
            req.connection.shutdown(socket.SHUT_RDWR)
            req.close_connection = True
            return None
        if fault in ("cut", "stall"):
            return self.break_off(req, fault, q)
        if fault == "timeout":  # the page itself, but after the client stopped waiting
            time.sleep(self.slow)
            with self.lock:
                body = json.dumps({"data": self.records[self.bounds(q)], "total": len(self.records)}).encode()
        return self.send(req, 200, body)

    def break_off(self, req, fault: str, q: dict) -> None:
        """Status and headers for the whole page, then half its body; the rest never or too late."""
        with self.lock:
            body = json.dumps({"data": self.records[self.bounds(q)], "total": len(self.records)}).encode()
        req.send_response(200)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body[: len(body) // 2])
        req.wfile.flush()
        if fault == "stall":
            time.sleep(self.slow)
            req.wfile.write(body[len(body) // 2:])
        else:
            req.connection.shutdown(socket.SHUT_RDWR)
        req.close_connection = True

    @staticmethod
    def bounds(q: dict) -> slice:
        size = int(q.get("limit") or q.get("page_size") or 10)
        start = int(q["offset"]) if "offset" in q else (int(q.get("page", 1)) - 1) * size
        return slice(start, start + size)

    def page(self, q: dict) -> bytes:
        """One page of the current data (offset or page style); runs under the lock."""
        span = self.bounds(q)
        if span.start == 0:
            self.served = []
        rows = [dict(r) for r in self.records[span]]
        number = span.start // (span.stop - span.start) + 1
        if self.shape:
            rows = self.shape(number, rows)
        self.served.extend(rows)
        if self.after_page and rows:
            self.after_page(self, rows)
        return json.dumps({"data": rows, "total": len(self.records)}).encode()
