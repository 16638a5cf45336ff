"""Small test utilities shared across layers (ports, subprocess environments)."""

from __future__ import annotations

import os
import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def platform_env(**extra: str) -> dict[str, str]:
    """The current environment (with the session's warehouse) plus overrides, for subprocesses."""
    return {**os.environ, **{k: str(v) for k, v in extra.items()}}
