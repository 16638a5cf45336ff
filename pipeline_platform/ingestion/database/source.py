"""What every database source shares: its URL (read at run time, never shown), its window, its deletes.

A production database's URL carries a password, so it is read from the environment variable the
source names only when a run starts, and every error raised here is built from the driver's cause
with the URL and its password scrubbed out: the message names the source and the cause, never the
secret. The window filter and the delete detection are SQL on the source and the warehouse, the
same for every engine, so each engine's module only has to stream rows and map its types.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import dagster as dg
from psycopg import sql

from pipeline_platform.ingestion.load.stage import column_defs
from pipeline_platform.ingestion.load.table import target

# An unpartitioned source reads from its high-water mark minus this, so a row committed late with an
# older cursor value (a long transaction on the source) is still read; the upsert skips rows it has.
OVERLAP = "1 hour"
TEMPORAL = ("date", "timestamp", "timestamptz", "datetime")
DELETED_AT = "_deleted_at"  # set on target rows whose key disappeared from the source (deletes: detect)
SOURCE_KEYS = "_source_keys"


class DatabaseSourceError(RuntimeError):
    """A database source failed; the message names the source and the cause, never the URL."""


def source_url(spec) -> str:
    value = dg.EnvVar(spec.options.url_env).get_value()
    if not value:
        raise DatabaseSourceError(
            f"source '{spec.name}': environment variable {spec.options.url_env} (the source database URL) is not set")
    return value


def scrub(text: str, url: str) -> str:
    """``text`` without the URL or its password (drivers sometimes echo the DSN)."""
    text = str(text).replace(url, "<url>")
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    for secret in filter(None, {password, password and unquote(password)}):
        text = text.replace(secret, "***")
    return text.strip()


def fail(spec, what: str, exc: BaseException, url: str) -> DatabaseSourceError:
    return DatabaseSourceError(f"source '{spec.name}' ({spec.kind}): {what}: {scrub(exc, url)}")


def is_temporal(type_: str) -> bool:
    return type_.split("(")[0].split(" ")[0] in TEMPORAL or type_.startswith("timestamp")


def window_filter(spec, window, cursor_type: str | None, high_water: str | None, literal) -> sql.Composable:
    """``WHERE`` for this run: the partition's window, else rows from the high-water mark minus OVERLAP.

    ``literal(value, type)`` renders a typed constant in the source's dialect."""
    if not spec.cursor or spec.load == "full_refresh":
        return sql.SQL("")
    cursor = sql.Identifier(spec.cursor)
    if window.since:
        return sql.SQL(" WHERE {} >= {} AND {} < {}").format(
            cursor, literal(window.since, "since"), cursor, literal(window.until, "until"))
    if high_water is None:
        return sql.SQL("")
    if cursor_type and is_temporal(cursor_type):
        return sql.SQL(" WHERE {} >= {}").format(cursor, literal(high_water, "overlap"))
    return sql.SQL(" WHERE {} >= {}").format(cursor, literal(high_water, "plain"))


def check_columns(spec, source: dict[str, str], existing: dict[str, str]) -> None:
    """Fail on a declared column the source lacks, or a column whose type changed since the last load."""
    missing = [c for c in spec.columns if c not in source]
    if missing:
        raise DatabaseSourceError(f"source '{spec.name}': the source has no column(s) {missing} declared in sources.yaml")
    for name, type_ in source.items():
        was = existing.get(name)
        if was and not spec.columns.get(name) and was != type_:
            raise DatabaseSourceError(
                f"source '{spec.name}': column '{name}' is {type_} in the source but {was} in "
                f"{spec.schema}.{spec.table}; change the target column (or declare the type under columns) and rerun")


def keys_stage(conn, spec, key_types: dict[str, str]) -> sql.Composable:
    """A TEMP table for the source's primary keys (``deletes: detect``), dropped at commit."""
    ident = sql.Identifier(f"{SOURCE_KEYS}_{spec.table}")
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(ident, column_defs(key_types)))
    return ident


def mark_deleted(conn, spec) -> dict:
    """After the apply: mark target rows whose key the source no longer has; returns the count."""
    t = target(spec.table, spec.schema)
    keys = sql.Identifier(f"{SOURCE_KEYS}_{spec.table}")
    match = sql.SQL(" AND ").join(sql.SQL("k.{0} = t.{0}").format(sql.Identifier(c)) for c in spec.primary_key)
    conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} timestamptz").format(t, sql.Identifier(DELETED_AT)))
    conn.execute(sql.SQL("ANALYZE {}").format(keys))
    gone = conn.execute(sql.SQL(
        "UPDATE {t} AS t SET {d} = now() WHERE t.{d} IS NULL AND NOT EXISTS (SELECT 1 FROM {k} AS k WHERE {m})"
    ).format(t=t, d=sql.Identifier(DELETED_AT), k=keys, m=match)).rowcount
    back = conn.execute(sql.SQL(
        "UPDATE {t} AS t SET {d} = NULL WHERE t.{d} IS NOT NULL AND EXISTS (SELECT 1 FROM {k} AS k WHERE {m})"
    ).format(t=t, d=sql.Identifier(DELETED_AT), k=keys, m=match)).rowcount
    return {"deleted_missing": gone, "reappeared": back}
