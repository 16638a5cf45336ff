"""db-memory: peak RSS of a ``kind: postgres`` load at the memory case's small vs large size.

The rows go source COPY -> Python -> staging COPY in bounded writes, so memory must stay flat: the
large run may grow at most 1.2x over the small one and stay under 250 MB. Both sizes read the one
source table (``db_copy.source``) through a ``query`` that bounds the ids; each measurement is a
fresh process (``memory.peak``).
"""

from __future__ import annotations

import os

from bench.cases.db_copy import URL_ENV, source
from bench.cases.memory import peak, row
from bench.harness import compare

NAME = "db-memory"


def run(ctx) -> list[dict]:
    repeats = ctx.args.memory_repeats or ctx.repeats
    small, large = (int(x) for x in ctx.args.memory_rows.split(","))
    os.environ[URL_ENV] = source(ctx, large)  # the child process inherits it

    def entry(n: int) -> dict:
        return {"kind": "postgres", "url_env": URL_ENV, "query": f"SELECT * FROM items WHERE id <= {n}",
                "load": "append", "partitioned": "none"}

    base, plat = compare(peak(ctx, "mem_db", entry(small)), peak(ctx, "mem_db", entry(large)), repeats,
                         measure=lambda fn: fn())
    return [row("postgres source", {"small": small, "large": large}, base, plat, case=NAME)]
