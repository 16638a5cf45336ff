"""dbt-overhead: the whole demo dbt project as Dagster runs it vs the same ``dbt build`` run alone.

The platform side is a fresh process launching the real Definitions' dbt asset job (``bench/dbt_job.py``:
the path ``make run`` takes, interpreter start, imports, run creation, events and metadata included);
the baseline is ``dbt build`` in a fresh process, same project, profile, target and threads, with a
target folder kept between repeats as the platform keeps its parse state. Both read the raw tables a
``make run`` loaded (untimed, shared with graph-overhead when it ran first); before each sample the
``staging`` and ``marts`` schemas are dropped, so every repeat builds from the same state. The peer,
astronomer-cosmos 1.15 under Airflow 2.10 on this machine, took 1.47x bare ``dbt build`` in WATCHER mode
(1.89x with process start) and 16.6x in its default LOCAL mode.
"""

from __future__ import annotations

import subprocess
import sys

from bench import demo_graph
from bench.harness import compare, result

NAME = "dbt-overhead"
JOB = demo_graph.REPO / "bench" / "dbt_job.py"


def run(ctx) -> list[dict]:
    from pipeline_platform.dbt.cli_resource import VENV_DBT
    from pipeline_platform.dbt.project import dbt_project, profile_args
    from pipeline_platform.dbt.window import window_env
    from pipeline_platform.resources.warehouse import dbt_env

    demo_graph.build(ctx)  # the raw tables (and the Dagster tables) both sides start from
    env = demo_graph.platform_env(ctx)
    folder = ctx.tmp / "dbt_bare"
    dbt_args = ["--project-dir", str(dbt_project().project_dir), *profile_args(), "--target-path",
                str(folder / "target"), "--log-path", str(folder / "logs")]
    denv = {**env, **dbt_env(ctx.w.url), **window_env()}  # no window: all days, as the platform's full range

    def bare():
        subprocess.run([str(VENV_DBT), "build", *dbt_args], check=True, capture_output=True, env=denv)

    def platform():
        proc = subprocess.run([sys.executable, str(JOB)], cwd=demo_graph.REPO, env=env, capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"dbt asset job failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")

    def reset(side):
        ctx.w.psql("DROP SCHEMA IF EXISTS staging, marts CASCADE")

    bare()  # untimed: dbt's partial-parse file for the bare target, as the platform's parse state is warm
    base, plat = compare(bare, platform, 1 if ctx.smoke else ctx.repeats, reset=reset)
    models = ctx.w.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('staging', 'marts')")[0][0]
    return [result(NAME, "dbt asset job in a fresh process (make run's path) vs dbt build alone", base, plat,
                   "<=", 1.3, sizes={"project": "demo", "relations": models, "days": "all"})]
