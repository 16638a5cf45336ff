"""The demo shop's REST API on the standard library, so tests and laptops need no web framework.

A threading server keeps a slow client from stalling the others; ``DemoApi`` runs it in a
background thread for tests and benchmarks, ``python -m pipeline_platform.demo`` in the foreground.
"""

from __future__ import annotations

import socketserver
import threading
from http.server import ThreadingHTTPServer

from pipeline_platform.demo import clock
from pipeline_platform.demo.handler import ShopHandler


class ShopServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, as_of=None, scale: float = 1.0, token: str | None = None):
        self.as_of = None if as_of is None else clock.resolve_as_of(as_of)  # None: live clock
        self.scale, self.token = float(scale), token  # token: require it as a bearer token
        super().__init__((host, port), ShopHandler)

    def server_bind(self):  # skip HTTPServer's reverse DNS lookup (slow with no network)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class DemoApi:
    """The API in a background thread: ``with DemoApi(port=0, as_of=...) as api: api.url``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, as_of=None, scale: float = 1.0, token: str | None = None):
        self.server = ShopServer(host, port, as_of, scale, token)
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
