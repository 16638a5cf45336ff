"""Fixtures for the ingestion tests: sources files written per test, fast HTTP settings, a runner.

Tests declare their own sources (a few YAML lines) so each one exercises exactly the behaviour it
names, against the session's real embedded Postgres; HTTP retries use tiny backoffs to stay fast.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import psycopg
import pytest
import yaml

from pipeline_platform.ingestion.assets import build_raw_assets
from pipeline_platform.ingestion.api.http_client import HttpClientResource
from pipeline_platform.resources.landing import LandingFolder
from pipeline_platform.resources.warehouse import WarehouseResource
from tests.ingestion.fault_server import FaultServer

FAST_HTTP = HttpClientResource(timeout_seconds=0.5, max_retries=2, backoff_seconds=0.01, max_backoff_seconds=0.05)


@pytest.fixture
def fault_server():
    server = FaultServer()
    yield server
    server.close()


@pytest.fixture
def landing(tmp_path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


class Platform:
    """Build assets from a sources mapping and materialize them against the test warehouse."""

    def __init__(self, url: str, tmp_path: Path, landing: Path):
        self.url, self.tmp_path, self.landing = url, tmp_path, landing

    def sources(self, entries: dict, name: str = "sources.yaml") -> list[dg.AssetsDefinition]:
        path = self.tmp_path / name
        # the demo's partitions: the tests' days are demo days
        path.write_text(yaml.safe_dump({"partitions": {"start": "2026-09-01"}, "sources": entries}, sort_keys=False))
        return build_raw_assets(path)

    def materialize(self, assets, http=FAST_HTTP, **kwargs) -> dg.ExecuteInProcessResult:
        resources = {"warehouse": WarehouseResource(database_url=self.url),
                     "landing": LandingFolder(path=str(self.landing)), "http": http}
        kwargs.setdefault("raise_on_error", False)
        return dg.materialize(assets, resources=resources, **kwargs)

    def rows(self, table: str, order: str = "1") -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            cols = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema='raw' AND table_name=%s "
                "AND column_name NOT IN ('_load_id','_loaded_at') ORDER BY ordinal_position", (table,))]
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
            return conn.execute(f'SELECT {select} FROM raw."{table}" ORDER BY {order}').fetchall()

    def scalar(self, query: str, params=None):
        with psycopg.connect(self.url) as conn:
            return conn.execute(query, params).fetchone()[0]

    def last_load(self, asset: str) -> dict:
        with psycopg.connect(self.url) as conn:
            cur = conn.execute("SELECT * FROM raw._loads WHERE asset = %s ORDER BY load_id DESC LIMIT 1", (asset,))
            return dict(zip([d.name for d in cur.description], cur.fetchone()))


@pytest.fixture
def platform(clean_warehouse, tmp_path, landing) -> Platform:
    return Platform(clean_warehouse, tmp_path, landing)


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """Every failure description and cause of a run, as one string to match against."""
    parts = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None:
                parts.append(error.message)
                error = error.cause
    return "\n".join(parts)


def metadata_of(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    event = result.get_asset_materialization_events()[-1]
    mats = [e.materialization for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: v.value for k, v in (mats[-1] if mats else event.materialization).metadata.items()}
