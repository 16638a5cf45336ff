"""Two builds of one dbt model at once wait for each other, for any dbt project, with no hook.

Two runs of one partition (or a retry beside a scheduled run) may build the same models together,
and dbt's table swap (rename to ``<name>__dbt_backup``, commit, drop the backup) collides with a
second build renaming in that gap. The lock used to be a pre-hook in the demo's own
``dbt_project.yml``, which every other project silently lacked. Here the dbt step holds one session
advisory lock per selected model, taken in sorted order (two steps never deadlock), from before
dbt starts until it has exited, so a build's whole swap, backup drop included, is done before the
other starts. The lock lives on the step's own connection, never inside dbt's transactions (a hook
outside them made dbt commit early, 4ab6247), and dies with the step: a killed run worker's
connection closes and Postgres releases it, while dbt's own unfinished transaction rolls back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import psycopg

from pipeline_platform.resources.warehouse import libpq_url

NAMESPACE = "dbt build:"


@contextlib.contextmanager
def models_locked(url: str, unique_ids: Iterable[str]) -> Iterator[None]:
    """Hold the build lock of every model in ``unique_ids`` (dbt unique_ids) for the block."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for uid in sorted(set(unique_ids)):
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (NAMESPACE + uid,))
        yield  # closing the connection releases every lock, also when the block raised
