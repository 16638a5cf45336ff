"""Two dbt builds of one mart at once, as two runs of one partition make: neither may fail.

dbt swaps a rebuilt table in through ``<name>__dbt_backup``, which it drops only after the commit;
a second build renaming in that gap failed with "relation ... __dbt_backup already exists" (seen
once in several runs of ``tests/reliability/test_concurrent_runs.py``). ``macros/mart_lock.sql``
serializes each mart's whole swap. The test lines both builds up on purpose: it locks the table
``mart_build_info`` reads until both builds wait, then lets them go together.
"""

from __future__ import annotations

import subprocess

import psycopg

from tests.helpers import wait_until

from .conftest import command, environment
from .raw_data import seed

ROUNDS = 3
WAITING = "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"


def test_two_builds_of_one_mart_at_once_both_succeed(database_url, dbt, tmp_path):
    seed(database_url)
    first = dbt("run")
    assert first.returncode == 0, first.output[-3000:]
    with psycopg.connect(database_url, autocommit=True) as watch:
        for n in range(ROUNDS):
            with psycopg.connect(database_url) as gate:
                gate.execute("LOCK TABLE raw._loads IN ACCESS EXCLUSIVE MODE")
                runs = [subprocess.Popen(command(tmp_path / f"round{n}-{side}", "run", "--select", "mart_build_info"),
                                         env=environment(database_url), stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True) for side in "ab"]
                both = wait_until(lambda: watch.execute(WAITING).fetchone()[0] >= 2, timeout=120)
            outputs = [run.communicate(timeout=300)[0] for run in runs]
            assert both, "the two builds never waited together"
            assert [run.returncode for run in runs] == [0, 0], "\n".join(out[-2000:] for out in outputs)
