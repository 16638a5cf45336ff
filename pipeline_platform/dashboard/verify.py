"""The deploy's proof over HTTP: the running app sees the data the warehouse holds now.

A healthy ``/_stcore/health`` only says Streamlit runs; it says nothing about which warehouse or
which build the app reads. The platform computes a **data version** of an exposure's relations
from the warehouse itself, so no project needs a special model. Each relation counts by its
``pg_class`` identity (oid, file node, and the catalog row's ``xmin``), which every dbt rebuild of a
table or view (a new relation swapped in by rename), truncate or ``ALTER`` changes. Relations written
in place (incremental models, snapshots, materialized views, sources) also count by their rows: row count and the sum of
the rows' ``xmin``, one scan of the tuple headers, since every written row carries its writer's
transaction id. Everything read is committed state, so the deploy and the app agree whenever nothing
is being written. The app's server, started through the platform's entry wrapper (``entry.py``),
computes it with the same function and serves it at ``GET /_pp/data_version``; the deploy polls
until both agree. A version only ever means "changed or not": a new one only makes viewers reload.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import psycopg
import requests
from psycopg import sql

DATA_VERSION_PATH = "/_pp/data_version"

# One row per relation, in the given order; a missing relation comes back with a null oid.
_IDENTITY = """
SELECT r.name, c.oid::bigint, c.relfilenode::bigint, c.xmin::text, c.relkind::text, n.nspname, c.relname
FROM unnest(%s::text[]) WITH ORDINALITY AS r(name, i)
LEFT JOIN pg_class c ON c.oid = to_regclass(r.name) LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY r.i
"""
_ROWS = "SELECT count(*), coalesce(sum(xmin::text::bigint), 0)::text FROM {}"
_HAS_ROWS = {"r", "p", "m"}  # tables, partitioned tables, materialized views (views have no xmin)


class DeployCheckError(RuntimeError):
    """The app answered, but not with what the deploy needs."""


def data_version(conn: psycopg.Connection, relations: Sequence[str], in_place: Sequence[str] = ()) -> str | None:
    """The data version of ``relations`` (quoted ``"schema"."name"``), reading the rows of those also
    in ``in_place``; None while one of them does not exist yet."""
    rows = conn.execute(_IDENTITY, (sorted(relations),)).fetchall()
    if not rows or any(row[1] is None for row in rows):
        return None
    digest = hashlib.sha256()
    for name, oid, filenode, xmin, kind, schema, table in rows:
        digest.update(repr((name, oid, filenode, xmin, kind)).encode())
        if name in in_place and kind in _HAS_ROWS:
            digest.update(repr(conn.execute(sql.SQL(_ROWS).format(sql.Identifier(schema, table))).fetchone()).encode())
    return digest.hexdigest()[:20]


def warehouse_data_version(url: str, relations: Sequence[str], in_place: Sequence[str] = ()) -> str:
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            version = data_version(conn, relations, in_place)
    except psycopg.Error as exc:
        raise DeployCheckError(f"cannot read the warehouse: {type(exc).__name__}: {exc}") from exc
    if version is None:
        raise DeployCheckError(f"not every relation of the exposure exists yet ({', '.join(relations)}): build them first")
    return version


def served_data_version(url: str) -> tuple[str | None, str]:
    """The app's ``data_version`` and a note on the answer; raises on a non-JSON answer.

    A 503 (the app cannot read the warehouse yet) or a connection error gives ``(None, note)``: retry.
    """
    try:
        response = requests.get(f"{url}{DATA_VERSION_PATH}", timeout=5)
    except requests.RequestException as exc:
        return None, f"no answer ({type(exc).__name__})"
    kind = response.headers.get("content-type", "")
    if "json" not in kind:
        raise DeployCheckError(
            f"{url}{DATA_VERSION_PATH} answered {response.status_code} {kind or 'without content-type'}, not JSON: "
            "the server runs the wrong entry point (start it through pipeline_platform.dashboard.entry, "
            f"not the app script itself); body starts {response.text[:120]!r}"
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise DeployCheckError(f"{url}{DATA_VERSION_PATH} sent invalid JSON: {response.text[:120]!r}") from exc
    note = f"{response.status_code} {body}"
    return (body.get("data_version") if response.status_code == 200 else None), note


def wait_for_data_version(
    app_url: str, database_url: str, relations: Sequence[str], in_place: Sequence[str], timeout: float
) -> str:
    """Poll until the app serves the warehouse's current data version; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        expected = warehouse_data_version(database_url, relations, in_place)
        served, note = served_data_version(app_url)
        if served == expected:
            return expected
        if time.monotonic() >= deadline:
            raise DeployCheckError(
                f"{app_url}{DATA_VERSION_PATH} serves data_version {served!r}, the warehouse holds {expected!r}"
                f" (after {timeout:g}s; last answer: {note}): the app reads another warehouse or cannot read it"
            )
        time.sleep(0.5)
