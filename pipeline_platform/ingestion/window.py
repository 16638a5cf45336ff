"""The slice of source data one run asks for, derived from its partition (or range) once.

Partitioned sources extract exactly their partitions' days, so a 30-day single-run backfill and 30
one-day runs load the same rows; unpartitioned sources are unbounded here and the API extract
falls back to the table's high-water mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg


@dataclass(frozen=True)
class Window:
    first: date | None = None  # first day (CSV file names)
    last: date | None = None  # last day, inclusive
    since: str | None = None  # ISO instant, inclusive (API updated_since)
    until: str | None = None  # ISO instant, exclusive (API updated_until)
    label: str | None = None  # partition key or "start..end" for raw._loads


def window_of(context: dg.AssetExecutionContext, partitioned: bool) -> Window:
    if not partitioned or not (context.has_partition_key or context.has_partition_key_range):
        return Window()
    start, end = context.partition_time_window
    keys = context.partition_key_range
    label = keys.start if keys.start == keys.end else f"{keys.start}..{keys.end}"
    return Window(start.date(), (end - timedelta(days=1)).date(), start.isoformat(), end.isoformat(), label)
