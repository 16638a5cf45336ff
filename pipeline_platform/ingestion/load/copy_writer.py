"""COPY data sent from a thread, so formatting the next API page overlaps Postgres parsing this one.

psycopg's default writer returns from ``write`` only once the socket has taken the data, which on
loopback means once Postgres has parsed most of the page: the loader and Postgres then take turns
instead of running on both cores. psycopg's own ``QueuedLibpqWriter`` can hold 1,024 chunks (128 MB)
when Postgres is the slower side, beyond the loader's promise of memory bounded by a few pages, so
this one holds ``depth`` writes (pages) and otherwise does the same: the worker's error, such as a
value Postgres rejects or a dropped connection, is raised in the loader at its next write or at the end.
"""

from __future__ import annotations

import queue
import select
import threading

from psycopg.copy import LibpqWriter, Writer


class Background(Writer):
    """A ``LibpqWriter`` fed through a queue of ``depth`` writes by a worker thread."""

    def __init__(self, cursor, depth: int = 2):
        self._inner = LibpqWriter(cursor)
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="copy-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            while data := self._queue.get():
                self._inner.write(data)
        except BaseException as exc:  # raised in the loader's thread
            self._error = exc
            while self._queue.get():  # keep taking writes, or the loader would block on a full queue
                pass

    def write(self, data) -> None:
        if self._error is not None:
            raise self._error
        if data:
            self._queue.put(data)

    def finish(self, exc: BaseException | None = None) -> None:
        self._queue.put(b"")
        self._thread.join()
        if self._error is not None:  # as psycopg's queued writer: the worker's error wins
            raise self._error
        self._inner.finish(exc)


class Relay(Writer):
    """A ``LibpqWriter`` whose writes never wait for the socket, for a caller that reads another
    connection's COPY in the same loop (``database/postgres.py``): that caller waits on both sockets
    at once, calls ``send`` when this one is writable, and so keeps both servers busy from one thread
    (the ``Background`` thread, woken per write, lost the GIL to the reader's per-row loop). At most
    ``limit`` bytes wait in libpq's buffer before a write blocks, so memory stays bounded."""

    def __init__(self, cursor, limit: int = 8 << 20, piece: int = 1 << 20):
        self._inner = LibpqWriter(cursor)
        self._pgconn = cursor.connection.pgconn
        self.socket = self._pgconn.socket
        self.pending, self._queued, self._limit, self._piece = False, 0, limit, piece

    def write(self, data) -> None:
        view = memoryview(data)
        for start in range(0, len(view), self._piece):
            while self._pgconn.put_copy_data(view[start:start + self._piece]) == 0:
                self._wait_writable()
        self._queued += len(view)
        self.send()
        while self.pending and self._queued >= self._limit:
            self._wait_writable()

    def send(self) -> None:
        """Pass what libpq holds to the socket, as much as it takes now."""
        self.pending = bool(self._pgconn.flush())
        if not self.pending:
            self._queued = 0

    def _wait_writable(self) -> None:
        select.select([], [self.socket], [])
        self.send()

    def finish(self, exc: BaseException | None = None) -> None:
        while self.pending:
            self._wait_writable()
        self._inner.finish(exc)
