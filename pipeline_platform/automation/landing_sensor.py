"""Event-based trigger: a CSV dropped in the landing folder loads without waiting for the night.

The folder under the landing dir names the source (``raw/<folder>``), the date in the file name is
the partition. All new or changed files of one (source, day) become one run, whose ``run_key``
carries their content hashes: Dagster never launches the same key twice, so an identical file never
reloads (even with a lost cursor), and a changed one does. Files for a day that is not yet a
partition wait (nothing recorded); files outside the partition range are logged once and ignored.
On the very first tick, files of days already materialized count as loaded.
"""

from __future__ import annotations

import time
from collections import defaultdict

import dagster as dg

from pipeline_platform.automation import landing_scan as ls
from pipeline_platform.automation.jobs import ingest_job
from pipeline_platform.ingestion.loader import SCHEMA
from pipeline_platform.resources.landing import LandingFolder


def csv_sources(context: dg.SensorEvaluationContext) -> dict[str, dg.AssetKey]:
    """Source name -> asset key, for every executable ``raw/<name>`` asset of kind csv."""
    graph = context.repository_def.asset_graph
    out = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if len(key.path) == 2 and key.path[0] == SCHEMA and node.is_executable and "dagster/kind/csv" in node.tags:
            out[key.path[1]] = key
    return out


def build_landing_sensor(settle_seconds: float = 2.0, minimum_interval_seconds: int = 30) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_sensor",
        job=ingest_job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Loads raw/<folder> for the day in each new or changed landing CSV.",
    )
    def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder):
        sources = csv_sources(context)
        graph = context.repository_def.asset_graph
        seen = ls.load_cursor(context.cursor)
        settle_before = time.time_ns() - int(settle_seconds * 1e9)
        groups: dict[tuple[str, str], list[ls.Candidate]] = defaultdict(list)
        for candidate in ls.scan(landing.root(), set(sources), seen, settle_before):
            groups[(candidate.source, candidate.day)].append(candidate)

        # First tick ever (no cursor): days already loaded by other means (the initial backfill of
        # `make dev`, a manual run) become the baseline instead of one redundant run per file.
        loaded = (
            {name: context.instance.get_materialized_partitions(key) for name, key in sources.items()}
            if context.cursor is None else {}
        )
        requests = []
        for (source, day), members in sorted(groups.items()):
            key = sources[source]
            partitions = graph.get(key).partitions_def
            if day in loaded.get(source, ()):
                pass
            elif partitions is not None and not partitions.has_partition_key(day):
                if day > (partitions.get_last_partition_key() or day):
                    continue  # the day has not closed yet: retry on a later tick
                context.log.warning(f"{[c.rel for c in members]}: {day} is outside the partitions of {key.to_user_string()}")
            else:
                requests.append(
                    dg.RunRequest(
                        run_key=ls.group_key(source, day, members),
                        asset_selection=[key],
                        partition_key=day if partitions is not None else None,
                        tags={"pipeline/landing_source": source, "pipeline/landing_files": str(len(members))},
                    )
                )
            for candidate in members:
                ls.commit(seen, candidate)
        context.update_cursor(ls.dump_cursor(seen))
        return requests or dg.SkipReason(f"no new or changed landing files ({len(seen.files)} known)")

    return landing_sensor
