"""A throwaway MariaDB server from Debian's ``mariadb-server`` for the MySQL-source tests.

It lives in a temp data directory, listens only on a unix socket (``skip-networking``), and is
stopped by its pid. Off CI a missing server skips the tests saying what to install; under
``CI=true`` it must be there (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

INSTALL = "apt-get install mariadb-server (Debian) to run the MySQL/MariaDB source tests"


def binaries() -> tuple[str, str] | None:
    server = shutil.which("mariadbd") or ("/usr/sbin/mariadbd" if Path("/usr/sbin/mariadbd").exists() else None)
    install = shutil.which("mariadb-install-db")
    return (server, install) if server and install else None


class MariaDb:
    def __init__(self, root: Path):
        found = binaries()
        if found is None:
            if os.environ.get("CI") == "true":
                raise RuntimeError(f"MariaDB is missing on CI: {INSTALL}")
            pytest.skip(INSTALL)
        server, install = found
        self.root, self.socket = root, str(root / "mysqld.sock")
        data = root / "data"
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run([install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=normal",
                        "--skip-test-db", *user], check=True, capture_output=True, timeout=120)
        self.server, self.data, self.user = server, data, user
        self.start()

    def start(self) -> None:
        """Start (or, after ``kill``, restart: InnoDB recovers) the server on the same data directory."""
        Path(self.socket).unlink(missing_ok=True)  # a killed server leaves its socket file behind
        self.log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(
            [self.server, "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}", "--skip-networking",
             f"--pid-file={self.root / 'server.pid'}", "--innodb-buffer-pool-size=64M", "--skip-log-bin", *self.user],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        for _ in range(600):
            if Path(self.socket).exists() or time.monotonic() > deadline or self.process.poll() is not None:
                break
            time.sleep(0.1)
        if not Path(self.socket).exists():
            self.stop()
            raise RuntimeError(f"MariaDB did not start: {(self.root / 'server.log').read_text(errors='replace')[-2000:]}")

    def url(self, database: str, password: str = "") -> str:
        return f"mysql://root:{password}@localhost/{database}?unix_socket={self.socket}"

    password = ""

    def set_password(self, password: str) -> None:
        self.sql(f"ALTER USER root@localhost IDENTIFIED BY '{password}'")
        self.password = password

    def sql(self, *statements: str, database: str | None = None) -> None:
        import asyncio

        import asyncmy

        async def run() -> None:
            conn = await asyncmy.connect(unix_socket=self.socket, user="root", password=self.password,
                                         database=database, autocommit=True)
            try:
                async with conn.cursor() as cur:
                    for statement in statements:
                        await cur.execute(statement)
            finally:
                conn.close()

        asyncio.run(run())

    def kill(self) -> None:
        """Kill the server outright (SIGKILL), as a crash would."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if not self.log.closed:
            self.log.close()
