"""dbt-overhead's platform side: the real Definitions' dbt asset job, in this fresh process.

Run as a script, exactly as ``make run`` builds the models: the instance ``cli run`` resolves, the job
of every dbt model (``build_marts``, the models part of ``refresh_warehouse``) executed in process
over the whole partition range as one single-run backfill. Exits non-zero if the run failed, so the
case never times a broken build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    import dagster as dg

    from pipeline_platform.automation.jobs import marts_job
    from pipeline_platform.cli import environment, exit_now
    from pipeline_platform.run_all import partition_range

    os.environ.update(environment())
    from pipeline_platform.definitions import defs

    span = partition_range(0)
    tags = {"dagster/asset_partition_range_start": span[0], "dagster/asset_partition_range_end": span[1]} if span else {}
    result = defs.resolve_job_def(marts_job.name).execute_in_process(
        instance=dg.DagsterInstance.get(), tags=tags, raise_on_error=False)
    exit_now(0 if result.success else 1)  # as `cli run` ends


if __name__ == "__main__":
    main()
