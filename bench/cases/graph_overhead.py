"""graph-overhead: ``make run`` over the full demo graph vs the same work as bare commands.

The bare side is what a user could script without Dagster: the raw tables' DDL, one ``psql \\copy``
per raw table (of the very rows the platform loaded, exported once, untimed), one ``dbt build``,
one ``dbt docs generate --static`` (the graph's ``dbt_docs`` asset does that work too) and one
Streamlit start until its health check answers. Before each measurement the ``raw``, ``staging`` and
``marts`` schemas are dropped and the dashboard stopped; Dagster's instance tables and the landing
files stay, and the demo API keeps running: it stands for the source system, which a run does not
start. So the ratio is what orchestration adds: run launch, steps, events, checks, the deploy.
"""

from __future__ import annotations

import os

from bench import bare, demo_graph, history
from bench.harness import result, timed

NAME = "graph-overhead"
RAW = bare.RAW


def run(ctx) -> list[dict]:
    from pipeline_platform.dashboard import local

    folder, days = ctx.tmp / "graph_bare", 0  # all days: `--days N` drops the customers older orders need
    env = demo_graph.platform_env(ctx)
    platform = lambda: demo_graph.run(ctx, days)  # noqa: E731
    # The first platform sample also gives the rows the bare side replays (no separate warm-up: the
    # whole graph is the slowest thing in `make bench`). It pays the one-time landing, demo API start
    # and Dagster table creation, so it is the slowest sample and the median does not see it.
    plat = [timed(platform, "platform")]
    bare.export(ctx, folder)
    commands = bare.commands(ctx, folder, env)

    def stop_dashboards():
        with history.environ({"PIPELINE_STATE_DIR": env["PIPELINE_STATE_DIR"]}):
            local.stop_recorded()
        proc = getattr(ctx, "_bare_streamlit", None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)

    def reset(side):
        stop_dashboards()
        ctx.w.psql("DROP SCHEMA IF EXISTS raw, staging, marts CASCADE")

    try:
        base, repeats = [], 1 if ctx.smoke else ctx.repeats
        for i in range(repeats):  # platform, baseline, platform, baseline, ...
            reset("baseline")
            base.append(timed(commands, "baseline"))
            if i < repeats - 1:
                reset("platform")
                plat.append(timed(platform, "platform"))
    finally:  # either side leaves the marts built, which the dashboard case reads
        stop_dashboards()
        demo_graph.stop(ctx)
    ctx._graph_seconds = min(plat)
    rows = {t: ctx.w.sql(f"SELECT count(*) FROM raw.{t}")[0][0] for t in RAW[:-1]}
    return [result(NAME, "make run (full demo graph) vs psql \\copy + dbt build + docs + Streamlit", base, plat,
                   "<=", 1.5, sizes={"days": days or "all", **rows})]
