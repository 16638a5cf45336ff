"""db-increment: one day of changes on a large Postgres source table vs copying the whole table.

The source (``db_copy.source``, 5x the copy case's rows, an index on the cursor) is loaded once;
before each incremental measurement 1% of its rows get a newer ``updated_at`` (a day's changes,
spread over the day),
and the unpartitioned ``upsert`` source reads from its high-water mark minus the overlap. The
baseline is the full copy of the same table by the same kind of asset (``full_refresh``).
"""

from __future__ import annotations

import os

import psycopg

from bench import env
from bench.cases.db_copy import URL_ENV, source
from bench.harness import compare, result

NAME = "db-increment"


def run(ctx) -> list[dict]:
    rows = ctx.rows * 5
    url = os.environ[URL_ENV] = source(ctx, rows)
    columns = {"kind": "postgres", "url_env": URL_ENV, "table": "public.items", "partitioned": "none",
               "primary_key": "id"}
    full = env.spec_for(ctx.tmp, "db_full", {**columns, "load": "full_refresh"})
    increment = env.spec_for(ctx.tmp, "db_increment", {**columns, "cursor": "updated_at"})
    env.load(ctx.w.url, increment)  # the initial copy, untimed
    day = [0]

    def changes(side: str) -> None:
        if side != "platform":
            return
        day[0] += 1
        with psycopg.connect(url, autocommit=True) as conn:
            # Spread over the day, as an OLTP table's changes are: the overlap re-reads only the
            # previous day's last hour, not all of its changes (they are not all at midnight).
            conn.execute("UPDATE items SET amount = amount + 1, updated_at = TIMESTAMPTZ '2027-01-01' + %s * "
                         "interval '1 day' + (id / 100 %% 86400) * interval '1 second' WHERE id %% 100 = %s",
                         (day[0], day[0] % 100))

    base, plat = compare(lambda: env.load(ctx.w.url, full), lambda: env.load(ctx.w.url, increment),
                         ctx.repeats, reset=changes)
    return [result(NAME, "one day's changes (1% of rows) vs the full copy", base, plat, "<=", 0.1,
                   sizes={"rows": rows, "changed": rows // 100})]
