"""Event-based trigger: a CSV dropped in the landing folder loads without waiting for the night.

A file belongs to the CSV source whose ``landing_glob`` matches it (the asset's ``landing_glob``
metadata, matched by the same code the load uses), wherever it sits; the date in the file name is
the partition (an unpartitioned source loads whole, and needs no date). All new or changed files of one (source, day) become one run, whose ``run_key``
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
from pipeline_platform.resources.landing import LandingFolder


def csv_sources(context: dg.SensorEvaluationContext) -> dict[str, tuple[dg.AssetKey, str]]:
    """Source name -> (asset key, landing_glob), for every executable CSV loader."""
    graph = context.repository_def.asset_graph
    out = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        pattern = node.metadata.get("landing_glob")
        if node.is_executable and "dagster/kind/csv" in node.tags and pattern:
            out[key.path[-1]] = (key, str(pattern))
    return out


def build_landing_sensor(settle_seconds: float = 2.0, minimum_interval_seconds: int = 30) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_sensor",
        job=ingest_job,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Loads the CSV source whose landing_glob matches each new or changed landing file (its day).",
    )
    def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder):
        sources = csv_sources(context)
        graph = context.repository_def.asset_graph
        seen = ls.load_cursor(context.cursor)
        settle_before = time.time_ns() - int(settle_seconds * 1e9)
        groups: dict[tuple[str, str], list[ls.Candidate]] = defaultdict(list)
        daily = {name for name, (key, _) in sources.items() if graph.get(key).partitions_def is not None}
        for candidate in ls.scan(landing.root(), {name: glob for name, (_, glob) in sources.items()}, seen, settle_before):
            # one run per (source, day); an unpartitioned source loads all its files in one run
            day = (candidate.day or "") if candidate.source in daily else ""
            groups[(candidate.source, day)].append(candidate)

        # First tick ever (no cursor): days already loaded by other means (the initial backfill of
        # `make dev`, a manual run) become the baseline instead of one redundant run per file.
        loaded = (
            {name: context.instance.get_materialized_partitions(key) for name, (key, _) in sources.items()}
            if context.cursor is None else {}
        )
        requests = []
        for (source, day), members in sorted(groups.items()):
            key = sources[source][0]
            partitions = graph.get(key).partitions_def
            if day in loaded.get(source, ()):
                pass
            elif partitions is not None and not day:
                context.log.warning(f"{[c.rel for c in members]}: no YYYY-MM-DD in the name, so no day of {key.to_user_string()}")
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
