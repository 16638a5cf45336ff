"""Runs spread over Celery workers when a deployment names a broker; one machine's executors otherwise.

A team that outgrows one machine sets ``PIPELINE_CELERY_BROKER_URL`` (Redis or RabbitMQ) on the code
server and starts workers with ``python -m pipeline_platform.workers``: the default run launcher
still starts each run next to the code server, but its steps go to the workers through
``dagster-celery`` (``CeleryRunLauncher`` has open upstream bugs, so only the executor is Celery's).
With no broker set, ``make dev`` and ``make run`` behave exactly as before: the executor is Dagster's
default (multiprocess, or in-process when run config asks for it), so the choice is read at run
time, never when the code location loads. Steps are routed by what they build, not by name: dbt
assets to the ``dbt`` queue, the ``raw`` group's loads to the ``raw`` queue, everything else to
dagster-celery's ``dagster`` queue (docs/deploy.md says which worker should serve which). A worker
that dies mid-step must not lose the step: tasks are acknowledged late, so the broker hands an
unacknowledged step to another worker once ``PIPELINE_CELERY_VISIBILITY_TIMEOUT`` seconds have
passed; the killed worker's open transaction was rolled back by Postgres, so the new attempt starts
from untouched tables. The plan rewrite and the dagster-celery hooks used here are Dagster internals
(``ExecutionPlan``/``ExecutionStep`` tuples, ``core_celery_execution_loop``): they live in this module
only, and tests/deploy/test_workers.py fails with the reason when an upgrade changes them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping

import dagster as dg

EXECUTOR_NAME = "multi_or_in_process_or_celery"
BROKER_ENV = "PIPELINE_CELERY_BROKER_URL"
BACKEND_ENV = "PIPELINE_CELERY_BACKEND_URL"
VISIBILITY_ENV = "PIPELINE_CELERY_VISIBILITY_TIMEOUT"
DEFAULT_VISIBILITY_SECONDS = 3600  # must exceed the longest step, or a slow step runs twice
DEFAULT_QUEUE = "dagster"  # dagster-celery's own default queue
RAW_QUEUE = "raw"
DBT_QUEUE = "dbt"
QUEUES = (RAW_QUEUE, DBT_QUEUE, DEFAULT_QUEUE)
RAW_GROUP = "raw"
QUEUE_TAG = "dagster-celery/queue"  # dagster_celery.tags.DAGSTER_CELERY_QUEUE_TAG


def celery_enabled(environ: Mapping[str, str]) -> bool:
    return bool(environ.get(BROKER_ENV, "").strip())


def celery_settings(environ: Mapping[str, str]) -> dict:
    """Broker, result backend and the Celery settings the executor and every worker must share."""
    broker = environ.get(BROKER_ENV, "").strip()
    if not broker:
        raise ValueError(f"{BROKER_ENV} is not set: the Celery executor and workers need a broker URL")
    backend = environ.get(BACKEND_ENV, "").strip() or (broker if broker.startswith(("redis", "rediss")) else "rpc://")
    raw_timeout = environ.get(VISIBILITY_ENV, "").strip() or str(DEFAULT_VISIBILITY_SECONDS)
    try:
        visibility = int(raw_timeout)
    except ValueError:
        raise ValueError(f"{VISIBILITY_ENV} must be a whole number of seconds, got {raw_timeout!r}") from None
    if visibility < 1:
        raise ValueError(f"{VISIBILITY_ENV} must be at least 1 second, got {visibility}")
    from dagster_celery.defaults import broker_transport_options

    transport = {**broker_transport_options, "visibility_timeout": visibility,
                 # sweep for a dead worker's unacknowledged steps about as often as they may come due
                 "unacked_restore_interval": min(10, visibility), "unacked_restore_throttle": 1}
    config_source = {
        "task_acks_late": True,  # acknowledged when the step is done, so a dead worker's step is redelivered
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,  # a busy worker holds no second step another worker could run
        "broker_transport_options": transport,
        "result_backend_transport_options": {"visibility_timeout": visibility},
        "broker_connection_retry_on_startup": True,
    }
    return {"broker": broker, "backend": backend, "config_source": config_source, "include": []}


def queue_for(job_def: dg.JobDefinition, step) -> str:
    """The queue of one step: ``dbt`` for dbt assets, ``raw`` for raw loads, else ``dagster``."""
    assets_def = job_def.asset_layer.get_assets_def_for_node(step.node_handle)
    if assets_def is None:
        return DEFAULT_QUEUE
    if any("dbt" in spec.kinds for spec in assets_def.specs):
        return DBT_QUEUE
    if RAW_GROUP in assets_def.group_names_by_key.values():
        return RAW_QUEUE
    return DEFAULT_QUEUE


def routed_plan(execution_plan, job_def: dg.JobDefinition):
    """The plan with each step's queue tag set (an op's own tag wins), as dagster-celery reads it."""
    from dagster._core.execution.plan.step import ExecutionStep

    steps = {
        handle: step._replace(tags={QUEUE_TAG: queue_for(job_def, step), **step.tags})
        if isinstance(step, ExecutionStep) else step
        for handle, step in execution_plan.step_dict.items()
    }
    return execution_plan._replace(step_dict=steps, step_dict_by_key={s.key: s for s in steps.values()})


def _celery_executor(environ: Mapping[str, str], retries):
    from dagster_celery.executor import CeleryExecutor

    class RoutedCeleryExecutor(CeleryExecutor):
        def execute(self, plan_context, execution_plan):
            return super().execute(plan_context, routed_plan(execution_plan, plan_context.job.get_definition()))

    return RoutedCeleryExecutor(retries=retries, **celery_settings(environ))


@dg.executor(
    name=EXECUTOR_NAME,
    config_schema=dg.multi_or_in_process_executor.config_schema,
    requirements=lambda config: dg.multi_or_in_process_executor.get_requirements(config),
)
def platform_executor(init_context):
    """Dagster's default executor, or Celery when ``PIPELINE_CELERY_BROKER_URL`` is set.

    ``in_process`` run config always runs in-process (one process, e.g. a rerun or a debug run).
    """
    config = init_context.executor_config
    if "in_process" in config or not celery_enabled(os.environ):
        return dg.multi_or_in_process_executor.executor_creation_fn(init_context)
    from dagster._core.execution.retries import RetryMode

    retries = RetryMode.from_config(config.get("multiprocess", {}).get("retries", {"enabled": {}}))
    return _celery_executor(os.environ, retries)


def worker_app(environ: Mapping[str, str]):
    """The Celery app a worker serves: the executor's settings, every platform queue declared."""
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task
    from dagster._core.execution.retries import RetryMode
    from kombu import Queue

    app = make_app(CeleryExecutor(retries=RetryMode(RetryMode.DISABLED), **celery_settings(environ)).app_args())
    app.conf.task_queues = [Queue(q, routing_key=f"{q}.#", queue_arguments={"x-max-priority": 10}) for q in QUEUES]
    create_task(app)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline_platform.workers",
                                     description="A Celery worker for the platform's steps (docs/deploy.md).")
    parser.add_argument("--name", required=True, help="worker name; its hostname becomes NAME@<host>")
    parser.add_argument("--queues", default=",".join(QUEUES), help=f"comma-separated, of {', '.join(QUEUES)}")
    parser.add_argument("--loglevel", default="INFO")
    args = parser.parse_args(argv)
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        parser.error(f"unknown queue(s) {', '.join(unknown)}: the platform routes steps to {', '.join(QUEUES)}")
    try:
        app = worker_app(os.environ)
    except ValueError as error:
        parser.error(str(error))
    import pipeline_platform.definitions  # noqa: F401  (load the code location once, before the first step)

    # solo: the step runs in the worker process itself, so killing the worker kills the step, and
    # Postgres rolls back its open transaction; the late acknowledgement hands the step on.
    app.worker_main(["worker", "--hostname", f"{args.name}@%h", "--queues", ",".join(queues), "--pool", "solo",
                     "--concurrency", "1", "--loglevel", args.loglevel, "--without-gossip", "--without-mingle"])


if __name__ == "__main__":
    main()
