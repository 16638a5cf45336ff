"""dbt-overhead: the whole demo dbt project as Dagster runs it vs the same ``dbt build`` run alone.

The platform side is a fresh process launching the real Definitions' dbt asset job (``bench/dbt_job.py``:
the path ``make run`` takes, interpreter start, imports, run creation, events and metadata included);
the baseline is ``dbt build`` in a fresh process, same project, profile, target and threads, with a
target folder kept between repeats as the platform keeps its parse state. Both read the raw tables a
``make run`` loaded (untimed, shared with graph-overhead when it ran first); before each sample the
``staging`` and ``marts`` schemas are dropped, so every repeat builds from the same state. The peer,
astronomer-cosmos 1.15 under Airflow 2.10 on this machine, took 1.47x bare ``dbt build`` in WATCHER mode
(1.89x with process start) and 16.6x in its default LOCAL mode.

Beside the ratio, the row reports its floor: ``bench/dagster_floor.py`` (a one-op Dagster job in a
fresh process on the same instance, nothing of the platform's) timed as often as each side, as
``1 + floor / bare``. No dbt step run by Dagster in a fresh process can go below it, so it says how
much of the gap any platform code could still close.
"""

from __future__ import annotations

import shlex
import statistics
import subprocess
import sys

from bench import demo_graph
from bench.harness import compare, result, timed

NAME = "dbt-overhead"
JOB = demo_graph.REPO / "bench" / "dbt_job.py"
FLOOR = demo_graph.REPO / "bench" / "dagster_floor.py"


def _resolved(ctx) -> dict[str, str]:
    """The exports ``make run`` evaluates (``cli env``), so the floor's process opens the same instance
    without importing platform code of its own."""
    proc = demo_graph.cli(ctx, "env")
    if proc.returncode:
        raise RuntimeError(f"cli env failed:\n{proc.stderr[-2000:]}")
    return dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in proc.stdout.splitlines()
                if line.startswith("export "))


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

    floor_env = {**env, **_resolved(ctx)}

    def floor() -> None:
        proc = subprocess.run([sys.executable, str(FLOOR)], cwd=demo_graph.REPO, env=floor_env, capture_output=True,
                              text=True)
        if proc.returncode:
            raise RuntimeError(f"one-op Dagster job failed:\n{proc.stderr[-2000:]}")

    repeats = 1 if ctx.smoke else ctx.repeats
    bare()  # untimed: dbt's partial-parse file for the bare target, as the platform's parse state is warm
    base, plat = compare(bare, platform, repeats, reset=reset)
    floors = [timed(floor, "floor") for _ in range(repeats)]
    bound = 1 + statistics.median(floors) / statistics.median(base)
    models = ctx.w.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('staging', 'marts')")[0][0]
    return [result(NAME, "dbt asset job in a fresh process (make run's path) vs dbt build alone", base, plat,
                   "<=", 1.3, sizes={"project": "demo", "relations": models, "days": "all",
                                     "floor (1 + one-op Dagster run / bare)": round(bound, 3)},
                   floor={"ratio": round(bound, 3), "seconds": [round(x, 4) for x in floors]})]
