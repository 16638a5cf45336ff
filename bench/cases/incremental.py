"""incremental: one day's ``refresh_warehouse`` run (raw loads + one dbt build) on 30 vs 365 days.

A daily run must cost what the day brings, not what the warehouse has accumulated. Both sides run
the same day (2026-10-01) from the same demo API and landing files; only the history differs:
the shop's real first 30 days, or those plus 360 older days (``bench/history.py``). Each side's
history is built once into a template database, untimed; before every measurement the run's
database is recreated from it, so every repeat does exactly the first run of that day.

Each side is a team's own deployment: the production database the NPS answers are copied from holds
the history its warehouse holds (or ``deletes: detect`` would erase 11 months of answers on every
365-day run), and each side keeps its own dbt parse state between runs, as one warehouse does (with
one state for two databases, dbt's "profile has changed" made both sides parse the project afresh).
An untimed run of the day on each side leaves that state behind before the timed ones.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from psycopg.conninfo import make_conninfo

from bench import history
from bench.cases.api_load import Server
from bench.harness import compare, result

NAME = "incremental"
DAY, FIRST, LAST = "2026-10-01", "2026-09-01", "2026-09-30"
AS_OF = "2026-10-02T06:00:00+00:00"  # the day and its late updates are over; history is settled


def db_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def run(ctx) -> list[dict]:
    from pipeline_platform.demo import production
    from pipeline_platform.demo.landing import land_days

    scale = ctx.args.incremental_scale
    landing, state = ctx.tmp / "inc_landing", ctx.tmp / "inc_state"
    land_days(landing, FIRST, DAY, as_of=AS_OF, scale=scale)
    server = Server(as_of=AS_OF, scale=scale)
    admin = ctx.w.sql
    urls = {days: db_url(ctx.w.url, f"inc_hist{days}") for days in (30, 365)}

    shop_db = production.database_url(ctx.w.url)  # the shop's production database, at the same instant
    production.sync(shop_db, AS_OF, scale)

    shops = {30: shop_db, 365: make_conninfo(shop_db, dbname="inc_shop365")}

    def env(url, days):
        return {"PIPELINE_DATABASE_URL": url, "PIPELINE_DEMO_API_URL": server.url, "PIPELINE_LANDING_DIR": str(landing),
                "PIPELINE_STATE_DIR": str(state), "PIPELINE_DEMO_AS_OF": AS_OF, production.URL_ENV: shops[days],
                "DBT_TARGET_PATH": str(ctx.tmp / f"inc_dbt_target{days}")}

    try:
        admin("CREATE DATABASE inc_hist30")
        history.run_job(env(urls[30], 30), first=FIRST, last=LAST)  # the real 30 days, as a backfill loads them
        admin("CREATE DATABASE inc_hist365 TEMPLATE inc_hist30")
        spanned = history.extend(urls[365], 365)
        admin(f"CREATE DATABASE inc_shop365 TEMPLATE {production.DATABASE}")
        history.extend(shops[365], 365, schema="public", tables=("nps_responses",))
        history.dbt_build(urls[365], ctx.tmp / "inc_dbt")  # marts over the whole history (30: built above)
        sizes = {f"fct_orders_{d}d": history.row_count(urls[d], "marts.fct_orders") for d in (30, 365)}
        run_urls = {d: db_url(ctx.w.url, f"inc_run{d}") for d in (30, 365)}

        def reset(side):
            days = 30 if side == "baseline" else 365
            admin(f"DROP DATABASE IF EXISTS inc_run{days} WITH (FORCE)")
            admin(f"CREATE DATABASE inc_run{days} TEMPLATE inc_hist{days}")

        def one_day(days):
            return lambda: history.run_job(env(run_urls[days], days), partition_key=DAY)

        for side, days in (("baseline", 30), ("platform", 365)):  # untimed: each side's parse state
            reset(side)
            one_day(days)()
        repeats = 1 if ctx.smoke else ctx.repeats
        base, plat = compare(one_day(30), one_day(365), repeats, reset=reset)
    finally:
        server.close()
        for name in ("inc_run30", "inc_run365", "inc_hist30", "inc_hist365", "inc_shop365"):
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    sizes = {"day": DAY, "scale": scale, "history_days": f"30 vs {spanned}", **sizes}
    return [result(NAME, "one-day run (ingest + dbt) with 365 vs 30 days of history", base, plat, "<=", 1.2,
                   sizes=sizes)]
