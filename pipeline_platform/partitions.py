"""The one daily partitioning shared by ingestion and dbt, so a day means the same thing everywhere.

Raw loads and incremental dbt models must agree on partition keys, or a backfill of one day would
load one window and transform another. The start date and timezone belong to the team's project
(``partitions:`` in the sources file, or ``PIPELINE_PARTITION_START``/``_TIMEZONE``), so they are
resolved when the definitions are built; a project that declares no start has no daily partitions
and runs as plain, unpartitioned runs.
"""

from __future__ import annotations

import functools

import dagster as dg

from pipeline_platform import settings


@functools.cache
def _daily(start: str, timezone: str) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(start_date=start, timezone=timezone, end_offset=0)


def daily_partitions(sources_file=None) -> dg.DailyPartitionsDefinition | None:
    """The project's daily partitions, or None when neither the sources file nor the environment
    names a start date."""
    from pipeline_platform.ingestion.config import load_partitioning

    declared_start, declared_timezone = load_partitioning(sources_file)
    start = settings.partition_start(declared_start)
    return _daily(start, settings.partition_timezone(declared_timezone)) if start else None
