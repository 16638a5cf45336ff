"""The demo shop's REST API on the standard library, so tests and laptops need no web framework.

A threading server keeps a slow client from stalling the others; ``DemoApi`` runs it in a
background thread for tests and benchmarks, ``python -m pipeline_platform.demo`` in the foreground.
Given the shop's production database (``PIPELINE_DEMO_SHOP_DB_URL``), the server also keeps that
database at its own instant (``production.sync``): once for a pinned instant, every minute live.
"""

from __future__ import annotations

import socketserver
import threading
from http.server import ThreadingHTTPServer

from pipeline_platform.demo import clock, production
from pipeline_platform.demo.handler import ShopHandler

SYNC_EVERY = 60.0  # seconds between production-database syncs on a live clock


class ShopServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, as_of=None, scale: float = 1.0, token: str | None = None):
        self.as_of = None if as_of is None else clock.resolve_as_of(as_of)  # None: live clock
        self.scale, self.token = float(scale), token  # token: require it as a bearer token
        self.shop_db = production.configured_url()  # the production database that moves with the API
        self._moved = threading.Event()
        super().__init__((host, port), ShopHandler)

    def keep_shop_db_current(self, every: float = SYNC_EVERY) -> None:
        """Sync the production database to the API's instant now, then (live clock) every ``every`` s."""
        if self.shop_db is None:
            return
        production.sync(self.shop_db, self.as_of)
        if self.as_of is None:
            threading.Thread(target=self._follow, args=(every,), name="demo-shop-db", daemon=True).start()

    def _follow(self, every: float) -> None:
        while not self._moved.wait(every):
            try:
                production.sync(self.shop_db)
            except Exception as exc:  # the warehouse restarting must not end the API; retried next time
                print(f"demo shop database sync failed: {exc}", flush=True)

    def server_close(self) -> None:
        self._moved.set()
        super().server_close()

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
        self.server.keep_shop_db_current()
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
