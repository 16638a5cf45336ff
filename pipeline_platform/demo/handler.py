"""Answering the demo shop's HTTP requests: one page of one entity, rendered from the snapshot.

Bodies are joined from pre-rendered JSON text and sent with a Content-Length over HTTP/1.1
keep-alive, so a client pulling a million records pays for bytes, not connections or re-encoding.
Test servers reuse ``send_json`` so every loopback API in the project frames responses the same way.
"""

from __future__ import annotations

import hmac
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from pipeline_platform.demo import clock, paging, shop
from pipeline_platform.demo.contract import API_ENTITIES

TOKEN_ENV = "PIPELINE_DEMO_API_TOKEN"  # when set, the shop requires "Authorization: Bearer <token>"


def send_json(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
    """Status, JSON headers and body; a client that hung up early is its own business."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


class ShopHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stall
    wbufsize = 1 << 16

    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        name = url.path.strip("/")
        try:
            if name == "health":
                return self._send(200, b'{"status":"ok"}')
            token = getattr(self.server, "token", None)
            if token and not hmac.compare_digest(self.headers.get("Authorization") or "", f"Bearer {token}"):
                return self._send(401, b'{"error":"missing or wrong bearer token"}')
            if name not in API_ENTITIES:
                return self._send(404, json.dumps({"error": f"no such endpoint: {url.path}"}).encode())
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            self._send(200, *self._page(name, url.path, query))
        except paging.BadRequest as exc:
            self._send(400, json.dumps({"error": str(exc)}).encode())
        except Exception as exc:  # a bug must still answer, or the client waits for its timeout
            self._send(500, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())

    def _page(self, name: str, path: str, query: dict) -> tuple[bytes, dict]:
        server = self.server
        try:
            since, until = (clock.to_epoch(query.get(k)) for k in ("updated_since", "updated_until"))
        except ValueError as exc:
            raise paging.BadRequest(f"updated_since/updated_until: not ISO 8601 ({exc})") from None
        snap = shop.snapshot(name, server.as_of, since, until, server.scale)
        part = paging.plan(query, snap)
        headers = {}
        cursor = "null"
        if part.next_params is not None:
            cursor = f'"{paging.encode_cursor(*snap.key(part.stop - 1))}"'
            host = self.headers.get("Host") or f"{server.server_name}:{server.server_port}"
            headers["Link"] = paging.next_link(f"http://{host}", path, query, part.next_params)
        page = "null" if part.page is None else str(part.page)
        body = (f'{{"data":[{snap.json_text(part.start, part.stop)}],'
                f'"next_cursor":{cursor},"page":{page},"total":{len(snap)}}}')
        return body.encode(), headers

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        send_json(self, status, body, headers)

    def log_message(self, format, *args):  # access logs would cost more than the requests
        pass
