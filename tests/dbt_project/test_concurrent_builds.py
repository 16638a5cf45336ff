"""Two dbt builds of one mart at once, as two runs of one partition make: neither may fail.

dbt swaps a rebuilt table in through ``<name>__dbt_backup``, which it drops only after the commit;
a second build renaming in that gap failed with "relation ... __dbt_backup already exists" (seen
once in several runs of ``tests/reliability/test_concurrent_runs.py``). The platform's dbt step
holds ``pipeline_platform.dbt.build_lock.models_locked`` around its dbt process, for any project and
without a hook in it; here each build runs the real dbt CLI inside that same lock. The test lines
both builds up on purpose: it locks the table ``mart_build_info`` reads until the first build waits
on it inside dbt and the second waits on the build lock, then lets them go together.
"""

from __future__ import annotations

import subprocess
import threading

import psycopg

from pipeline_platform.dbt.build_lock import models_locked
from tests.helpers import wait_until

from .conftest import command, environment
from .raw_data import seed

ROUNDS = 3
WAITING = "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"
MART = "model.pipeline_platform.mart_build_info"


def test_two_builds_of_one_mart_at_once_both_succeed(database_url, dbt, tmp_path):
    seed(database_url)
    first = dbt("run")
    assert first.returncode == 0, first.output[-3000:]
    with psycopg.connect(database_url, autocommit=True) as watch:
        for n in range(ROUNDS):
            outputs: dict[str, subprocess.CompletedProcess] = {}

            def build(side: str) -> None:
                with models_locked(database_url, [MART]):
                    outputs[side] = subprocess.run(
                        command(tmp_path / f"round{n}-{side}", "run", "--select", "mart_build_info"),
                        env=environment(database_url), capture_output=True, text=True, timeout=300)

            with psycopg.connect(database_url) as gate:
                gate.execute("LOCK TABLE raw._loads IN ACCESS EXCLUSIVE MODE")
                threads = [threading.Thread(target=build, args=(side,)) for side in "ab"]
                for thread in threads:
                    thread.start()
                # one build waits on raw._loads inside dbt, the other on the build lock
                both = wait_until(lambda: watch.execute(WAITING).fetchone()[0] >= 2, timeout=120)
            for thread in threads:
                thread.join(timeout=600)
            assert both, "the two builds never waited together"
            assert [outputs[side].returncode for side in "ab"] == [0, 0], \
                "\n".join(outputs[side].stdout[-2000:] for side in "ab")
