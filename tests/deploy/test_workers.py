"""The Celery wiring of ``pipeline_platform/workers.py`` without a broker: settings, routing, internals.

The routing rewrites Dagster's execution plan and relies on dagster-celery reading the queue from a
step tag; both are internals, so each assumption is checked here with a message saying what an
upgrade changed. The end-to-end behaviour (two workers, a killed worker) is ``celery_processes.py``.
"""

from __future__ import annotations

import pytest

from pipeline_platform import workers
from pipeline_platform.definitions import defs

BROKER = {workers.BROKER_ENV: "redis://127.0.0.1:1/0"}


def test_dagster_internals_the_routing_relies_on_are_still_there():
    from dagster._core.execution.plan.plan import ExecutionPlan
    from dagster._core.execution.plan.step import ExecutionStep
    from dagster_celery import tags

    assert tags.DAGSTER_CELERY_QUEUE_TAG == workers.QUEUE_TAG, "dagster-celery renamed its queue tag"
    assert {"step_dict", "step_dict_by_key"} <= set(ExecutionPlan._fields), \
        "ExecutionPlan no longer keeps its steps in step_dict/step_dict_by_key: routed_plan must change"
    assert "tags" in ExecutionStep._fields, "ExecutionStep has no tags field: routed_plan must change"


def test_steps_are_routed_by_what_they_build():
    from dagster._core.execution.api import create_execution_plan

    job = defs.resolve_implicit_global_asset_job_def()
    plan = workers.routed_plan(create_execution_plan(job, run_config={}), job)
    queues = {step.key: step.tags[workers.QUEUE_TAG] for step in plan.steps}
    graph = defs.resolve_asset_graph()
    raw = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == workers.RAW_GROUP}
    dbt = {k for k in graph.get_all_asset_keys() if "dbt" in graph.get(k).kinds}
    assert raw and dbt
    for step in plan.steps:
        keys = job.asset_layer.get_assets_def_for_node(step.node_handle).keys
        expected = workers.DBT_QUEUE if keys & dbt else workers.RAW_QUEUE if keys & raw else workers.DEFAULT_QUEUE
        assert queues[step.key] == expected, (step.key, queues)
    assert plan.get_step_by_key(plan.steps[0].key) is plan.steps[0]  # the by-key index follows the rewrite
    assert set(queues.values()) == set(workers.QUEUES)


def test_settings_acknowledge_late_and_reject_bad_values():
    settings = workers.celery_settings({**BROKER, workers.VISIBILITY_ENV: "30"})
    assert settings["backend"] == BROKER[workers.BROKER_ENV]
    config = settings["config_source"]
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["broker_transport_options"]["visibility_timeout"] == 30
    assert workers.celery_settings({workers.BROKER_ENV: "amqp://127.0.0.1//"})["backend"] == "rpc://"
    with pytest.raises(ValueError, match=workers.BROKER_ENV):
        workers.celery_settings({})
    with pytest.raises(ValueError, match=f"{workers.VISIBILITY_ENV} must be a whole number"):
        workers.celery_settings({**BROKER, workers.VISIBILITY_ENV: "soon"})


def test_worker_app_declares_every_queue_and_the_step_task():
    app = workers.worker_app(BROKER)
    assert {q.name for q in app.conf.task_queues} == set(workers.QUEUES)
    assert "execute_plan" in app.tasks
    assert app.conf.task_acks_late is True


def test_worker_command_names_unknown_queues(capsys):
    with pytest.raises(SystemExit):
        workers.main(["--name", "w", "--queues", "raw,marts"])
    assert "unknown queue(s) marts" in capsys.readouterr().err


def test_code_location_uses_the_platform_executor_and_it_stays_local_without_a_broker(monkeypatch):
    assert defs.resolve_implicit_global_asset_job_def().executor_def is workers.platform_executor
    assert not workers.celery_enabled({})
    assert workers.celery_enabled(BROKER)
