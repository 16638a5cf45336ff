"""csv-load: the raw CSV asset's append load vs ``psql \\copy`` of the same file into the same table.

Both sides write into the one ``raw`` table (truncated, untimed, before every measurement), so the
difference is exactly what the platform adds around COPY: header checks, audit row, checks, counts.
"""

from __future__ import annotations

from bench import data, env
from bench.harness import compare, result

NAME = "csv-load"


def append_spec(ctx, name: str):
    return env.spec_for(ctx.tmp, name, {"kind": "csv", "landing_glob": "customers/customers_*.csv", "load": "append",
                                        "partitioned": "none", "columns": data.COLUMNS})


def run(ctx) -> list[dict]:
    landing, path = ctx.csv(ctx.rows)
    spec = append_spec(ctx, "csv_load")
    table = f"raw.{spec.table}"
    env.load(ctx.w.url, spec, landing)  # warm-up; creates the table
    base, plat = compare(lambda: ctx.w.copy(table, list(data.COLUMNS), path),
                         lambda: env.load(ctx.w.url, spec, landing),
                         ctx.repeats, reset=lambda side: ctx.w.psql(f"TRUNCATE {table}"))
    sizes = {"rows": ctx.rows, "mb": round(path.stat().st_size / 1e6, 1)}
    return [result(NAME, "append load vs psql \\copy", base, plat, "<=", 1.25, sizes=sizes)]
