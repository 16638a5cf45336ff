"""No silent success: failed dbt tests and broken models fail the run, block the deploy, and a
retry from failure rebuilds only what broke. Also: a new column reaches fct_orders without a full
refresh. Reads the shared ``story`` (see ``story.py``).
"""

from __future__ import annotations

from .conftest import check_results, materialized

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
