"""db-copy pg: a Postgres table copied by the ``kind: postgres`` asset vs ``psql \\copy ... | psql \\copy``.

The source is a second database on the bench's embedded server, so both sides read and write the
same server; the target table is truncated (untimed) before every measurement, as in csv-load. The
difference is what the platform adds around the two COPYs: a snapshot transaction, catalog types,
the audit row, checks and counts.
"""

from __future__ import annotations

import os
import subprocess

import psycopg
from psycopg.conninfo import make_conninfo

from bench import env
from bench.harness import compare, result

NAME = "db-copy-pg"
URL_ENV = "PIPELINE_BENCH_SOURCE_URL"
SOURCE_DB = "bench_oltp"
COLUMNS = "id, name, amount, updated_at"


def source(ctx, rows: int | None = None) -> str:
    """The source database's URL, with a fresh table ``public.items`` of ``rows`` (``ctx.rows``) rows
    and an index on its cursor ``updated_at``."""
    rows = rows or ctx.rows
    url = make_conninfo(ctx.w.url, dbname=SOURCE_DB)
    if not ctx.w.sql("SELECT 1 FROM pg_database WHERE datname = %s", (SOURCE_DB,)):
        ctx.w.sql(f"CREATE DATABASE {SOURCE_DB}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS items")
        conn.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, amount numeric(12,2), updated_at timestamptz)")
        conn.execute("INSERT INTO items SELECT g, 'item ' || g, g %% 1000 + 0.25, "
                     "TIMESTAMPTZ '2026-09-01' + g * interval '1 second' FROM generate_series(1, %s) g", (rows,))
        conn.execute("CREATE INDEX ON items (updated_at)")
        conn.execute("VACUUM ANALYZE items")
    return url


def pipe(ctx, url: str, table: str) -> None:
    """The baseline: ``psql \\copy (select ...) to stdout | psql \\copy ... from stdin``."""
    into_psql(ctx, [ctx.w.psql_bin, "-X", "-q", "-c", f"\\copy (SELECT {COLUMNS} FROM items) TO STDOUT", url], table)


def into_psql(ctx, source: list[str], table: str) -> None:
    """``source``'s standard output (COPY text) piped into ``psql \\copy table (COLUMNS) from stdin``."""
    out = subprocess.Popen(source, stdout=subprocess.PIPE)
    subprocess.run([ctx.w.psql_bin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", f"\\copy {table} ({COLUMNS}) FROM STDIN",
                    ctx.w.url], stdin=out.stdout, check=True, stdout=subprocess.DEVNULL)
    out.stdout.close()
    if out.wait() != 0:
        raise RuntimeError(f"{source[0]} reading the source failed")


def run(ctx) -> list[dict]:
    os.environ[URL_ENV] = source(ctx)
    spec = env.spec_for(ctx.tmp, "db_copy", {"kind": "postgres", "url_env": URL_ENV, "table": "public.items",
                                             "load": "append", "partitioned": "none"})
    table = f"raw.{spec.table}"
    env.load(ctx.w.url, spec)  # warm-up; creates the table
    base, plat = compare(lambda: pipe(ctx, os.environ[URL_ENV], table), lambda: env.load(ctx.w.url, spec),
                         ctx.repeats, reset=lambda side: ctx.w.psql(f"TRUNCATE {table}"))
    return [result(NAME, "postgres source asset vs psql \\copy piped into psql \\copy", base, plat, "<=", 1.3,
                   sizes={"rows": ctx.rows})]
