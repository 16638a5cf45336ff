"""db-copy mysql: a MariaDB table copied by the ``kind: mysql`` asset vs ``mysql --batch ... | psql \\copy``.

The source is a real MariaDB (Debian's ``mariadb-server``) started in the run's temp folder on a unix
socket, the same server the MySQL-source tests start (``tests/database/mariadb.py``); the target
table is truncated (untimed) before every measurement, as in db-copy pg. The baseline is the issue's
command line: the ``mysql`` client streaming unbuffered (``--quick``), tab-separated and unescaped
(``--raw``; no value here has a tab, a newline or a NULL), without its header line, into ``psql \\copy``.
What the platform adds: a consistent-snapshot transaction, catalog types, the driver reading rows
in Python, COPY-text escaping of every value, the audit row, checks and counts.
"""

from __future__ import annotations

import os
import shutil

from bench import env
from bench.cases.db_copy import COLUMNS, into_psql
from bench.harness import compare, result

NAME = "db-copy-mysql"
URL_ENV = "PIPELINE_BENCH_MYSQL_URL"


def source(ctx):
    """A running MariaDB holding ``bench.items`` with ``ctx.rows`` rows (stopped by the caller)."""
    from tests.database.mariadb import INSTALL, MariaDb, binaries

    if binaries() is None or not shutil.which("mysql"):
        raise RuntimeError(f"db-copy mysql needs MariaDB's server and client: {INSTALL}")
    server = MariaDb(ctx.tmp / "mariadb")
    server.sql("CREATE DATABASE bench")
    server.sql("CREATE TABLE items (id bigint PRIMARY KEY, name varchar(64), amount decimal(12,2), "
               "updated_at datetime(6) NOT NULL, KEY (updated_at))",
               f"INSERT INTO items SELECT seq, concat('item ', seq), seq % 1000 + 0.25, "
               f"TIMESTAMP '2026-09-01 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_{ctx.rows}", database="bench")
    return server


def pipe(ctx, server, table: str) -> None:
    """The baseline: ``mysql --batch --quick --raw -e "select ..." | psql \\copy ... from stdin``."""
    into_psql(ctx, ["mysql", "--no-defaults", f"--socket={server.socket}", "--user=root", "--batch", "--quick", "--raw",
                    "--skip-column-names", "-e", f"SELECT {COLUMNS} FROM bench.items"], table)


def run(ctx) -> list[dict]:
    server = source(ctx)
    try:
        os.environ[URL_ENV] = server.url("bench")
        spec = env.spec_for(ctx.tmp, "db_copy_mysql", {"kind": "mysql", "url_env": URL_ENV, "table": "bench.items",
                                                       "load": "append", "partitioned": "none"})
        table = f"raw.{spec.table}"
        env.load(ctx.w.url, spec)  # warm-up; creates the table
        assert ctx.w.sql(f"SELECT count(*) FROM {table}")[0][0] == ctx.rows
        base, plat = compare(lambda: pipe(ctx, server, table), lambda: env.load(ctx.w.url, spec),
                             ctx.repeats, reset=lambda side: ctx.w.psql(f"TRUNCATE {table}"))
    finally:
        server.stop()
    return [result(NAME, "mysql source asset vs mysql --batch --quick --raw piped into psql \\copy", base, plat,
                   "<=", 1.5, sizes={"rows": ctx.rows})]
