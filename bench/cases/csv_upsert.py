"""csv-upsert: the upsert load into an empty PK table, and into a full one with 10 % changed rows.

The baseline is ``psql \\copy`` into the empty PK table in both rows: nothing plain can merge a file
into a full table faster, so it is the floor. The full-table side is reset (untimed) by truncating,
copying the original file back and ANALYZE, which is the state a nightly load finds.
"""

from __future__ import annotations

from bench import data, env
from bench.harness import compare, result

NAME = "csv-upsert"


def run(ctx) -> list[dict]:
    landing, path = ctx.csv(ctx.rows)
    changed_landing, _ = ctx.csv(ctx.rows, changed_every=10)
    spec = env.spec_for(ctx.tmp, "csv_upsert", {
        "kind": "csv", "landing_glob": "customers/customers_*.csv", "load": "upsert", "partitioned": "none",
        "primary_key": ["customer_id"], "cursor": "updated_at", "columns": data.COLUMNS})
    table, cols = f"raw.{spec.table}", list(data.COLUMNS)
    env.load(ctx.w.url, spec, landing)  # warm-up; creates the PK table
    sizes = {"rows": ctx.rows, "changed": "10%"}

    def empty(side):
        ctx.w.psql(f"TRUNCATE {table}")

    def full(side):
        empty(side)
        if side == "platform":
            ctx.w.copy(table, cols, path)
            ctx.w.psql(f"ANALYZE {table}")

    copy = lambda: ctx.w.copy(table, cols, path)  # noqa: E731
    base, plat = compare(copy, lambda: env.load(ctx.w.url, spec, landing), ctx.repeats, reset=empty)
    rows = [result(NAME, "upsert into empty PK table vs psql \\copy", base, plat, "<=", 3, sizes=sizes)]
    base, plat = compare(copy, lambda: env.load(ctx.w.url, spec, changed_landing), ctx.repeats, reset=full)
    rows.append(result(f"{NAME} (full)", "upsert, 10% changed, into full PK table vs psql \\copy into empty",
                       base, plat, "<=", 2, sizes=sizes))
    return rows
