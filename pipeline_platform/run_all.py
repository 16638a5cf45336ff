"""``make run``: the whole graph once, headless, with a summary a human can check at a glance.

It runs through the real instance (so runs show in the UI afterwards) with the in-process executor,
because on a laptop the seconds of interpreter start-up per step cost more than parallelism gains.
Only the daily part of the graph (daily sources, incremental models) is backfilled per day, as one
single-run backfill; everything else materializes once. The demo shop starts only when the sources
file uses it (``demo/usage.py``). The summary counts the rows of every table the run wrote, read
from the materializations' ``dagster/table_name``, in whatever schema.
"""

from __future__ import annotations

import dagster as dg
import psycopg
from psycopg import sql

from pipeline_platform.partitions import daily_partitions
from pipeline_platform.resources import warehouse


def partition_range(days: int) -> tuple[str, str] | None:
    """First and last daily partition to build (all of them for ``days`` 0); None without partitions."""
    partitions = daily_partitions()
    if partitions is None:
        return None
    keys = partitions.get_partition_keys()
    if not keys:
        return None
    return (keys[-days] if 0 < days <= len(keys) else keys[0]), keys[-1]


def start_demo(span: tuple[str, str] | None) -> list[str]:
    """Bring the shop's production database up to date, start the demo API and land the demo files
    (through ``span``'s last day, else through yesterday) for the sources that use them; nothing
    when no source does."""
    from datetime import date

    from pipeline_platform import services
    from pipeline_platform.demo.landing import land_days
    from pipeline_platform.demo import production
    from pipeline_platform.demo.usage import demo_csv_entities, uses_demo_api, uses_demo_database
    from pipeline_platform.ingestion.config import load_sources
    from pipeline_platform.resources.landing import resolve_landing_dir

    specs = load_sources()
    lines = []
    if uses_demo_database(specs) and (url := production.configured_url()):
        rows = production.sync(url)  # as of now (PIPELINE_DEMO_AS_OF); the demo API keeps it moving
        lines.append(f"Demo shop database: {production.DATABASE} ({rows} rows)")
    if uses_demo_api(specs):
        lines.append(f"Demo API: {services.ensure_demo_api()}")
    entities = demo_csv_entities(specs)
    if entities:
        first, last = span or (daily_partitions().get_first_partition_key(), date.today().isoformat())
        written = land_days(resolve_landing_dir(), first, last, entities=entities)
        lines.append(f"Landing folder: {resolve_landing_dir()} ({len(written)} new demo files)")
    return lines


def written_tables(defs: dg.Definitions, assets: list[str]) -> list[str]:
    """``schema.table`` of every materialized asset whose definition names its relation
    (``dagster/table_name``: loaders and dbt models), plus the load audit table the loaders write."""
    from pipeline_platform.ingestion.load.audit import audit_asset_spec

    graph = defs.resolve_asset_graph()
    named = [audit_asset_spec.metadata["dagster/table_name"]] if assets else []
    for key in {dg.AssetKey.from_user_string(a) for a in assets}:
        named.append(graph.get(key).metadata.get("dagster/table_name"))
    return sorted({".".join(str(n).replace('"', "").split(".")[-2:]) for n in named if n})


def table_counts(url: str, tables: list[str]) -> list[tuple[str, int | None]]:
    """Rows per existing table; None for one that cannot be counted (a view that errors)."""
    counts = []
    with psycopg.connect(warehouse.libpq_url(url), autocommit=True) as conn:
        for name in tables:
            schema, table = name.split(".", 1)
            relation = sql.Identifier(schema, table)
            if conn.execute("SELECT to_regclass(%s)", (relation.as_string(conn),)).fetchone()[0] is None:
                continue
            try:
                counts.append((name, conn.execute(sql.SQL("SELECT count(*) FROM {}").format(relation)).fetchone()[0]))
            except psycopg.Error:
                counts.append((name, None))
    return counts


def summarize(results: list[dg.ExecuteInProcessResult]) -> tuple[list[str], list[str]]:
    assets, checks = [], []
    for result in results:
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                assets.append(event.asset_key.to_user_string())
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                data = event.event_specific_data
                status = "passed" if data.passed else f"FAILED ({data.severity.value})"
                checks.append(f"{data.asset_key.to_user_string()}:{data.check_name} {status}")
    return assets, checks


def run_all(days: int = 0) -> int:
    from pipeline_platform.definitions import defs

    span = partition_range(days)
    for line in start_demo(span):
        print(line)
    instance = dg.DagsterInstance.get()
    tags = {"dagster/asset_partition_range_start": span[0], "dagster/asset_partition_range_end": span[1]} if span else {}
    results = [defs.resolve_job_def("refresh_warehouse").execute_in_process(instance=instance, tags=tags, raise_on_error=False)]
    if results[0].success:
        results.append(defs.resolve_job_def("deploy_dashboard_job").execute_in_process(instance=instance, raise_on_error=False))
    assets, checks = summarize(results)
    print(f"Partitions: {span[0]} .. {span[1]}" if span else "Partitions: none (every asset is unpartitioned)")
    print(f"Assets materialized ({len(set(assets))} assets, {len(assets)} materializations):")
    for key in sorted(set(assets)):
        print(f"  {key}")
    print("Rows per table:")
    for name, count in table_counts(warehouse.resolve_database_url(), written_tables(defs, assets)):
        print(f"  {name}: {count if count is not None else 'not countable'}")
    print(f"Checks: {sum('passed' in c for c in checks)} passed, {sum('FAILED' in c for c in checks)} failed")
    for line in checks:
        if "FAILED" in line:
            print(f"  {line}")
    uris = {
        event.asset_key.to_user_string(): event.materialization.metadata["dagster/uri"].value
        for result in results[1:]
        for event in result.get_asset_materialization_events()
        if "dagster/uri" in event.materialization.metadata
    }
    if "dbt_docs" in uris:
        print(f"dbt docs: {uris.pop('dbt_docs')}")
    deploys = [spec.key.to_user_string() for spec in defs.resolve_all_asset_specs() if spec.group_name == "dashboard"]
    for key in sorted(deploys):  # one line per dashboard (exposure), none when the project has none
        print(f"Dashboard: {uris.get(key) or 'not deployed (see failures above)'}"
              + (f" ({key.removeprefix('deploy_')})" if len(deploys) > 1 else ""))
    return 0 if all(r.success for r in results) else 1
