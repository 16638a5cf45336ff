"""The one daily partitioning shared by ingestion and dbt, so a day means the same thing everywhere.

Raw loads and incremental dbt models must agree on partition keys, or a backfill of "2026-10-03"
would load one window and transform another.
"""

import dagster as dg

DEMO_START = "2026-09-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=DEMO_START, end_offset=0)
