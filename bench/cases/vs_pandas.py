"""vs-pandas: the platform's CSV load vs the common ``pandas.read_csv`` + ``DataFrame.to_sql`` script.

This is the comparison people actually make before adopting a loader. pandas is slow enough that
``--pandas-rows`` (default 100k) is smaller than the CSV cases' size, and ``method='multi'``, ten times
slower again, runs at ``--pandas-multi-rows`` (50k); both sides of a row load the same file.
``method='multi'`` needs a chunksize (one INSERT may bind at most 65,535 parameters): 1,000 rows.
The default row also reports the ceiling, pandas over ``psql \\copy`` of the same file.
"""

from __future__ import annotations

import statistics

from bench import data, env
from bench.cases.csv_load import append_spec
from bench.harness import compare, result, timed

NAME = "vs-pandas"


def run(ctx) -> list[dict]:
    import pandas as pd
    import sqlalchemy as sa

    from pipeline_platform.resources.warehouse import with_driver

    rows = ctx.args.pandas_rows
    landing, path = ctx.csv(rows)
    spec = append_spec(ctx, "vs_pandas")
    engine = sa.create_engine(with_driver(ctx.w.url, "psycopg"))

    def pandas(method, path):
        def go():
            frame = pd.read_csv(path)
            frame.to_sql("vs_pandas_df", engine, schema="raw", if_exists="replace", index=False,
                         method=method, chunksize=1000 if method else None)
        return go

    def reset(side):
        ctx.w.psql("DROP TABLE IF EXISTS raw.vs_pandas_df")
        if side == "platform":
            ctx.w.psql(f"TRUNCATE raw.{spec.table}")

    env.load(ctx.w.url, spec, landing)  # warm-up; creates the table
    out = []
    try:
        for method, label, target, n in ((None, "default", 10, rows), ("multi", "multi", 40, ctx.args.pandas_multi_rows)):
            folder, csv = ctx.csv(n)
            base, plat = compare(pandas(method, csv), lambda: env.load(ctx.w.url, spec, folder), ctx.repeats, reset=reset)
            out.append(result(f"{NAME} ({label})", f"platform load vs read_csv + to_sql(method={method!r})",
                              base, plat, ">=", target, speedup=True, sizes={"rows": n}))
        # The ceiling: no loader beats COPY itself, so pandas over `psql \copy` of the same file is the
        # most any loader could show (pandas' default executemany runs in psycopg 3's pipeline mode).
        copies = []
        for _ in range(ctx.repeats):
            reset("platform")
            copies.append(timed(lambda: ctx.w.copy(f"raw.{spec.table}", list(data.COLUMNS), path), "ceiling"))
        default = out[0]["raw"]["baseline"]
        ceiling = round(statistics.median(default) / statistics.median(copies), 2)
        out[0]["ceiling"] = {"psql_copy_s": [round(c, 4) for c in copies], "pandas_over_copy": ceiling}
        out[0]["sizes"]["ceiling (pandas / psql copy)"] = ceiling
    finally:
        engine.dispose()
    return out
