"""A loopback HTTP API that misbehaves on request, for testing retries, timeouts and pagination.

Each path picks a behaviour; ``hits`` counts requests per path so tests can assert retry counts.
Records follow the demo contract's shape (``data``, ``next_cursor``, ``page``, ``total``, ``Link``).
A string value ``"raw:<number>"`` is sent as that bare JSON number, for numbers a float cannot hold.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.loopback import LoopbackServer

RAW_NUMBER = re.compile(r'"raw:(-?[0-9][0-9.eE+-]*)"')

RECORDS = [
    {"thing_id": i, "name": f'thing "{i}", with comma\nand newline' if i % 7 == 0 else f"thing {i}",
     "price": f"{i}.25", "updated_at": f"2026-09-01T{i % 24:02d}:00:00+00:00"}
    for i in range(1, 26)
]


class FaultServer(LoopbackServer):
    def __init__(self):
        self.hits: Counter = Counter()
        self.auth_seen: list[str | None] = []
        self.records = RECORDS
        self.start()

    def handle(self, req: BaseHTTPRequestHandler):
        parts = urlsplit(req.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.hits[path] += 1
        self.auth_seen.append(req.headers.get("Authorization"))
        n = self.hits[path]
        if path == "/throttled" and n <= 2:
            return self.send(req, 429, b'{"error": "slow down"}', {"Retry-After": "1"})
        if path == "/broken":
            return self.send(req, 500, b'{"error": "boom"}')
        if path == "/slow":
            time.sleep(1.5)
        if path == "/private" and req.headers.get("Authorization") != "Bearer s3cr3t-t0ken":
            return self.send(req, 401, b'{"error": "unauthorized"}')
        body, headers = self.page(path, query)
        if path == "/truncated" and query.get("page", "1") == "2":
            body = body[: len(body) // 2]
        self.send(req, 200, body, headers)

    def page(self, path: str, q: dict) -> tuple[bytes, dict]:
        rows = [r for r in self.records
                if q.get("updated_since", "") <= r["updated_at"] < q.get("updated_until", "9999")]
        size = int(q.get("page_size") or q.get("limit") or 10)
        if "page" in q:
            start = (int(q["page"]) - 1) * size
        elif "offset" in q:
            start = int(q["offset"])
        else:
            start = int(q.get("cursor", 0))
        data = rows[start:start + size]
        if path == "/drift" and start >= 10:
            data = [{**r, "color": "red"} for r in data]
        more = start + size < len(rows)
        headers = {}
        if more:
            nxt = {k: v for k, v in q.items() if k not in ("page", "offset", "cursor")}
            headers["Link"] = f'<{path}?{urlencode({**nxt, "cursor": start + size})}>; rel="next"'
        body = {"data": data, "next_cursor": str(start + size) if more else None,
                "page": int(q["page"]) if "page" in q else None, "total": len(rows)}
        if path == "/bare":  # a GitHub-style API: the body is the array of records itself
            body = data
        return RAW_NUMBER.sub(r"\1", json.dumps(body)).encode(), headers
