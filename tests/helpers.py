"""Small test utilities shared across layers (ports, subprocess environments, polling)."""

from __future__ import annotations

import os
import socket
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def platform_env(**extra: str) -> dict[str, str]:
    """The current environment (with the session's warehouse) plus overrides, for subprocesses."""
    return {**os.environ, **{k: str(v) for k, v in extra.items()}}


def wait_until(check, timeout: float, every: float = 0.05):
    """Call ``check`` until it returns something truthy or ``timeout`` seconds pass (it is called at
    least once); returns its last value, so a caller can assert on it or show it."""
    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(every)
    return value


def drop_schemas(url: str, schemas) -> str:
    """Drop ``schemas`` (and what is in them) so a test starts from an empty warehouse."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return url
