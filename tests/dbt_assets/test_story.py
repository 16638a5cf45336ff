"""The real code location's dbt assets, run by Dagster, read from one shared ``story`` (``story.py``).

Builds: partitions, one build per run, marts, metadata, over hand-built raw rows whose answers
``tests/dbt_project/expected.py`` computes in Python. Failures: no silent success (failed dbt tests
and broken models fail the run and block the deploy; a retry from failure rebuilds only what broke),
and a new column reaches fct_orders without a full refresh. One module on purpose: ``make test``
hands whole modules to xdist workers, and the story's dbt builds should run once per suite, not
once per module.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import dagster as dg
import requests

from pipeline_platform.dbt import docs_server

from .conftest import STALE_INVOCATIONS, check_results, invocations, materialized


def ids(step) -> list[int]:
    return [row[0] for row in step[1]]


def window_in_sql(targets: Path, run_id: str) -> list[str]:
    """The day literals of fct_orders' window, as the run's dbt compiled it."""
    (sql,) = targets.glob(f"warehouse_models-{run_id[:7]}-*/compiled/**/fct_orders.sql")
    return sorted(set(re.findall(r"'(\d{4}-\d\d-\d\d)'::date", sql.read_text())))


def test_a_partition_builds_only_its_day_through_its_window(story, dbt_targets):
    assert ids(story["day1"]) == [100, 101, 102, 106]  # day-2 orders are in raw, but not in the window
    (results,) = invocations(dbt_targets, story["day1"][0].run_id)
    assert results["args"]["vars"] == {}  # the window goes by environment: new vars force a full parse
    assert window_in_sql(dbt_targets, story["day1"][0].run_id) == ["2026-09-01", "2026-09-02"]


def test_in_process_runs_leave_no_window_or_connection_in_the_environment(story):
    """A later dbt command in the same process (a full build, a test's own dbt) must not inherit the
    last run's partition window: it would build one day and drop the rest of history."""
    before, after = story["environment"]
    assert after == before


def test_the_next_day_adds_only_that_day(story):
    added = [row for row in story["day2"][1] if row not in story["day1"][1]]
    assert [row[0] for row in added] == [104, 105]
    assert [row for row in story["day2"][1] if row[0] not in (104, 105)] == story["day1"][1]


def test_running_the_same_partitions_again_changes_nothing(story):
    assert story["backfill"][1] == story["day2"][1]  # the backfill re-ran days 1 and 2
    assert len({oid for (oid,) in map(tuple, story["oids"][:3])}) == 1  # same table, never rebuilt


def test_a_30_day_backfill_is_one_run_one_step_one_dbt_build(story, dbt_targets, story_instance):
    result = story["backfill"][0]
    starts = story_instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_START)
    assert [e.step_key for e in starts] == ["warehouse_models"]
    (results,) = invocations(dbt_targets, result.run_id)
    assert results["args"]["which"] == "build"
    assert window_in_sql(dbt_targets, result.run_id) == ["2026-09-01", "2026-10-01"]
    assert {r["status"] for r in results["results"]} <= {"success", "pass", "no-op"}  # no-op: the exposure


def test_marts_equal_the_answers_computed_from_raw_rows(story):
    marts = story["marts"]
    assert marts == story["expected"] and len(marts["customer_lifetime_value"]) == 3
    # 10,9,9,8,7,6,0 -> (3 - 2) / 7 = 14.29; 9,0,0 -> (1 - 2) / 3 = -33.33
    assert [row[-1] for row in marts["mart_nps_daily"]] == [Decimal("14.29"), Decimal("-33.33")]


def test_materializations_show_row_counts_columns_and_lineage(story, story_instance):
    events = story_instance.all_logs(story["backfill"][0].run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    meta = {e.dagster_event.asset_key.to_user_string(): e.dagster_event.materialization.metadata for e in events}
    fct = meta["marts/fct_orders"]
    assert fct["dagster/row_count"].value == 6
    columns = [c.name for c in fct["dagster/column_schema"].value.columns]
    assert columns[:2] == ["order_id", "customer_id"] and "paid_amount" in columns
    lineage = fct["dagster/column_lineage"].value.deps_by_column
    assert dg.AssetKey(["staging", "stg_orders"]) in {d.asset_key for d in lineage["order_id"]}
    assert meta["marts/mart_daily_revenue"]["dagster/row_count"].value == 2


def test_docs_asset_links_the_site_served_over_http(story, dbt_targets):
    result = story["docs"][0]
    (event,) = result.get_asset_materialization_events()
    uri = event.materialization.metadata["dagster/uri"].value
    assert uri == os.environ[docs_server.DOCS_URL_ENV]  # the platform's docs server, not a file:// link
    page = requests.get(uri, timeout=10)
    assert page.status_code == 200 and "fct_orders" in page.text
    assert Path(event.materialization.metadata["path"].value).read_bytes() == page.content
    assert len(list(dbt_targets.glob(f"dbt_docs-{result.run_id[:7]}-*"))) == 1  # one dbt invocation


def test_old_invocation_folders_are_pruned_and_the_story_keeps_its_own(story, dbt_targets):
    """Each dbt step removes the invocation folders past the newest 50 that are over a day old: of the
    60 two-day-old ones seeded before the story, only the youngest that still rank among the newest 50
    remain, while every folder of the story's own invocations and the handed-on parse state stay."""
    from pipeline_platform.dbt.target_folders import INVOCATION, KEEP

    stale = {p.name for p in dbt_targets.glob("stale_op-*")}
    own = [p for p in dbt_targets.iterdir() if INVOCATION.match(p.name) and p.name not in stale]
    assert len(own) >= 5 and all(p.is_dir() for p in own)  # the story's builds, retries and docs
    assert stale == {f"stale_op-{i:07x}-{i:07x}" for i in range(max(0, KEEP - len(own)))}
    assert len(stale) < STALE_INVOCATIONS
    assert (dbt_targets / "partial_parse.msgpack").exists()


# stg_nps_responses is broken; mart_nps_daily reads it, mart_build_info depends on every exposed mart.
DOWNSTREAM_OF_BROKEN = {"staging/stg_nps_responses", "marts/mart_nps_daily", "marts/mart_build_info"}


def test_a_failing_dbt_test_fails_the_run_and_blocks_the_deploy(story, story_instance):
    result, _ = story["negative"]
    assert not result.success
    assert check_results(story_instance, result.run_id)["assert_revenue_never_negative"] is False
    built = materialized(story_instance, result.run_id)
    assert "marts/mart_daily_revenue" in built and "deploy_dashboard" not in built
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "assert_revenue_never_negative: fail" in str(failure.step_failure_data.user_failure_data.metadata)


def test_an_added_column_reaches_fct_orders_without_a_full_refresh(story):
    assert story["column"][0].success
    assert story["columns"][-1] == ("units_x10",)
    by_id = {row[0]: row for row in story["column"][1]}
    assert by_id[100][-1] == 20 and by_id[106][-1] == 10  # touched on day 3: 2 and 1 units
    assert by_id[104][-1] is None  # not in the window: kept as it was, no full refresh
    assert len({oid for (oid,) in map(tuple, story["oids"])}) == 1  # the same table throughout


def test_a_broken_model_fails_the_run_but_keeps_what_was_built(story, story_instance):
    broken = story["broken"][0]
    assert not broken.success
    built = materialized(story_instance, broken.run_id)
    assert {"staging/stg_orders", "marts/fct_orders", "marts/mart_daily_revenue"} <= built
    assert not built & (DOWNSTREAM_OF_BROKEN | {"deploy_dashboard"})


def test_retry_from_failure_rebuilds_only_the_broken_model_and_its_downstream(story, story_instance):
    retry = story["retry"][0]
    assert retry.success
    assert story_instance.get_run_by_id(retry.run_id).parent_run_id == story["broken"][0].run_id
    assert materialized(story_instance, retry.run_id) == DOWNSTREAM_OF_BROKEN
    checks = check_results(story_instance, retry.run_id)  # the rebuilt models' tests ran again
    assert checks["unique_mart_nps_daily_response_date"] and "unique_fct_orders_order_id" not in checks
