"""vs-pandas: the platform's CSV load vs the common ``pandas.read_csv`` + ``DataFrame.to_sql`` script.

This is the comparison people actually make before adopting a loader. pandas is slow enough that
``--pandas-rows`` (default 100k) is smaller than the CSV cases' size; both sides load the same file.
``method='multi'`` needs a chunksize (one INSERT may bind at most 65,535 parameters): 1,000 rows.
"""

from __future__ import annotations

from bench import data, env
from bench.cases.csv_load import append_spec
from bench.harness import compare, result

NAME = "vs-pandas"


def run(ctx) -> list[dict]:
    import pandas as pd
    import sqlalchemy as sa

    from pipeline_platform.resources.warehouse import with_driver

    rows = ctx.args.pandas_rows
    landing, path = ctx.csv(rows)
    spec = append_spec(ctx, "vs_pandas")
    engine = sa.create_engine(with_driver(ctx.w.url, "psycopg"))

    def pandas(method):
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
    sizes = {"rows": rows}
    out = []
    try:
        for method, label, target in ((None, "default", 10), ("multi", "multi", 40)):
            base, plat = compare(pandas(method), lambda: env.load(ctx.w.url, spec, landing), ctx.repeats, reset=reset)
            out.append(result(f"{NAME} ({label})", f"platform load vs read_csv + to_sql(method={method!r})",
                              base, plat, ">=", target, speedup=True, sizes=sizes))
    finally:
        engine.dispose()
    return out
