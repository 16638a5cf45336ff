"""The demo shop's REST API on the standard library, so tests and laptops need no web framework.

Bodies are joined from pre-rendered JSON text and sent with a Content-Length over HTTP/1.1
keep-alive, so a client pulling a million records pays for bytes, not connections or re-encoding.
"""

from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from pipeline_platform.demo import clock, paging, shop
from pipeline_platform.demo.contract import API_ENTITIES


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
        body = (f'{{"data":[{",".join(snap.json_rows(part.start, part.stop))}],'
                f'"next_cursor":{cursor},"page":{page},"total":{len(snap)}}}')
        return body.encode(), headers

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # access logs would cost more than the requests
        pass


class ShopServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, as_of=None, scale: float = 1.0):
        self.as_of = None if as_of is None else clock.resolve_as_of(as_of)  # None: live clock
        self.scale = float(scale)
        super().__init__((host, port), ShopHandler)

    def server_bind(self):  # skip HTTPServer's reverse DNS lookup (slow with no network)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class DemoApi:
    """The API in a background thread: ``with DemoApi(port=0, as_of=...) as api: api.url``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, as_of=None, scale: float = 1.0):
        self.server = ShopServer(host, port, as_of, scale)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "DemoApi":
        self._thread = threading.Thread(target=self.server.serve_forever, name="demo-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "DemoApi":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
