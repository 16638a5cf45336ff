"""Finding secrets where they must never be: files, every table of a database, Slack messages.

The secrets tests set the Slack token, an API auth header and the database password to marker
strings nobody else uses, run the platform, and then count every place a marker shows up. A
marker is searched as text, in compressed (zlib) blobs, and URL-encoded, so an escaped copy counts.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

from tests.loopback import LoopbackServer


def forms(markers: list[str]) -> list[bytes]:
    return sorted({f.encode() for m in markers for f in (m, quote(m, safe=""))})


def hits_in_bytes(data: bytes, markers: list[str]) -> int:
    found = sum(data.count(f) for f in forms(markers))
    if data[:1] == b"\x78":  # zlib header: Dagster compresses snapshots
        try:
            found += hits_in_bytes(zlib.decompress(data), markers)
        except zlib.error:
            pass
    return found


def search_files(roots: list[Path], markers: list[str], since: float = 0.0) -> dict[str, int]:
    """``{path: hits}`` over every file under ``roots`` modified at or after ``since``."""
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else root.rglob("*") if root.exists() else []
        for path in paths:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since:
                if n := hits_in_bytes(path.read_bytes(), markers):
                    found[str(path)] = n
    return found


def search_database(url: str, markers: list[str]) -> dict[str, int]:
    """``{schema.table: hits}`` over every row of every table (text form), bytea blobs decompressed."""
    found = {}
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall()
        for schema, table in tables:
            ident = sql.Identifier(schema, table)
            like = sql.SQL(" OR ").join(sql.SQL("t::text LIKE {}").format(sql.Literal(f"%{m}%")) for m in markers)
            n = conn.execute(sql.SQL("SELECT count(*) FROM {} t WHERE {}").format(ident, like)).fetchone()[0]
            blobs = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "AND data_type = 'bytea'", (schema, table))]
            for column in blobs:
                for (value,) in conn.execute(sql.SQL("SELECT {} FROM {} WHERE {} IS NOT NULL").format(
                        sql.Identifier(column), ident, sql.Identifier(column))):
                    n += hits_in_bytes(bytes(value), markers)
            if n:
                found[f"{schema}.{table}"] = n
    return found


class EchoingApi(LoopbackServer):
    """A loopback API that answers /health, and 401 to everything else with the request's
    Authorization header echoed in the body, as some real APIs do on errors."""

    def __init__(self):
        self.start()

    def handle(self, req):
        status, body = (200, {"status": "ok"}) if req.path == "/health" else (
            401, {"error": "invalid token", "received": req.headers.get("Authorization")})
        self.send(req, status, json.dumps(body).encode())
