"""dbt-overhead's floor: the least any Dagster run costs before its first step could start dbt.

Run as a script in a fresh process: import dagster, open the deployment's instance (the same
``DAGSTER_HOME`` and storages as ``bench/dbt_job.py``) and execute a one-op job in process, then exit
as ``make run`` does. No platform code, no dbt: whatever this costs, every dbt step run by Dagster
pays at least as much on top of dbt's own work, so ``1 + floor / bare dbt build`` bounds the
dbt-overhead ratio from below (dbt run in process instead would save only its interpreter start,
~25 ms here, its imports being paid in the run's process instead).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    import dagster as dg

    @dg.op
    def noop() -> None:
        pass

    @dg.job
    def floor():
        noop()

    result = floor.execute_in_process(instance=dg.DagsterInstance.get(), raise_on_error=False)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if result.success else 1)  # as pipeline_platform.cli.exit_now ends `make run`


if __name__ == "__main__":
    main()
