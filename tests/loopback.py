"""The one way tests stand up a scripted HTTP API on 127.0.0.1: a thread, a free port, ``handle(req)``.

Fault servers differ only in what they answer, so the server plumbing (port 0, daemon threads,
shutdown) and the response framing (``send_json``, the same as the demo API's) live here once.
``keep_alive`` servers speak HTTP/1.1 with Nagle off, as real APIs do; without it every body would
wait ~40 ms for a delayed ACK and a 200-request test would mostly measure that.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pipeline_platform.demo.handler import send_json


class LoopbackServer:
    keep_alive = False
    send = staticmethod(send_json)

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if server.keep_alive else "HTTP/1.0"
            disable_nagle_algorithm = server.keep_alive

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
