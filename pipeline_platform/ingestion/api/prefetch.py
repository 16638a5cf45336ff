"""Fetching the next API page while the current one is loaded, so the API's latency hides.

A page load is two waits in series: the API building and sending page N+1, and Postgres taking
page N through COPY (plus the formatting in between). Neither needs the GIL while it waits, so a
worker thread that keeps one page in hand overlaps them; bounded by ``depth`` pages, memory stays
flat whatever the volume. Pages and errors reach the consumer in order, exactly as a plain loop.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator


class Ahead:
    """Iterate ``stream`` from a worker thread that stays at most ``depth`` pages ahead.

    Pages and the stream's exception arrive in order, so the consumer sees exactly what a plain loop
    would. ``close`` (or leaving the ``with``) stops the worker after its current request and calls
    ``on_close`` (closing the HTTP client, which cuts a pending retry wait short) before joining it.
    """

    _END = object()

    def __init__(self, stream: Iterator, depth: int = 1, on_close=None):
        self._on_close = on_close
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(stream,), name="api-pages-ahead", daemon=True)
        self._thread.start()

    def _offer(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _work(self, stream: Iterator) -> None:
        try:
            for page in stream:
                if not self._offer((page, None)):
                    return
            self._offer((self._END, None))
        except BaseException as exc:  # handed to the consumer, raised there in order
            self._offer((None, exc))
        finally:
            if hasattr(stream, "close"):
                stream.close()

    def __iter__(self):
        while True:
            page, exc = self._queue.get()
            if exc is not None:
                raise exc
            if page is self._END:
                return
            yield page

    def close(self, wait: float = 5.0) -> None:
        self._stop.set()
        if self._on_close is not None:
            self._on_close()
        self._thread.join(wait)

    def __enter__(self) -> "Ahead":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
