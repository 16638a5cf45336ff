"""``make run``: the whole graph once, headless, with a summary a human can check at a glance.

It runs through the real instance (so runs show in the UI afterwards) with the in-process executor,
because on a laptop the seconds of interpreter start-up per step cost more than parallelism gains.
A single-run backfill of the demo history writes ~3,000 events (a materialization per asset and
day); the instance's event log keeps a connection pool for that (``resources/instance_storage.py``).
"""

from __future__ import annotations

import dagster as dg
import psycopg

from pipeline_platform.partitions import DEMO_START, daily_partitions
from pipeline_platform.resources import warehouse


def partition_range(days: int) -> tuple[str, str]:
    keys = daily_partitions.get_partition_keys()
    first = keys[-days] if 0 < days <= len(keys) else DEMO_START
    return first, keys[-1]


def table_counts(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(warehouse.libpq_url(url)) as conn:
        rels = conn.execute(
            "SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname IN ('raw','staging','marts') "
            "UNION SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw','staging','marts') AND table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return [
            (f"{s}.{t}", conn.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]) for s, t in rels
        ]


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
    from pipeline_platform import services
    from pipeline_platform.definitions import defs
    from pipeline_platform.demo.landing import land_days
    from pipeline_platform.resources.landing import resolve_landing_dir

    services.ensure_demo_api()
    first, last = partition_range(days)
    land_days(resolve_landing_dir(), first, last)
    instance = dg.DagsterInstance.get()
    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}
    results = [defs.resolve_job_def("refresh_warehouse").execute_in_process(instance=instance, tags=tags, raise_on_error=False)]
    if results[0].success:
        results.append(defs.resolve_job_def("deploy_dashboard_job").execute_in_process(instance=instance, raise_on_error=False))
    assets, checks = summarize(results)
    print(f"Partitions: {first} .. {last}")
    print(f"Assets materialized ({len(assets)}):")
    for key in sorted(set(assets)):
        print(f"  {key}")
    print("Rows per table:")
    for name, count in table_counts(warehouse.resolve_database_url()):
        print(f"  {name}: {count}")
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
