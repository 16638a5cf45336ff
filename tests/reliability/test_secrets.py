"""No secrets leak from failing loads: an API that echoes the auth header, a database that refuses.

The whole-graph check (Slack token, API header and database password set to markers for two
``make run`` and a failing run, then every log, table and file searched) lives in
tests/foundation/test_make_run.py, which already pays for the full graph. These two cases are the
error paths most likely to carry a secret into an error message: a 401 whose body repeats the
``Authorization`` header, and a connection failure on a URL holding the password.
"""

from __future__ import annotations

import uuid

import dagster as dg
import psycopg

from pipeline_platform.ingestion.api.http_client import HttpClientResource
from pipeline_platform.resources.landing import LandingFolder
from pipeline_platform.resources.warehouse import WarehouseResource
from tests.ingestion.conftest import failure_message, landing, platform  # noqa: F401 (fixtures)
from tests.reliability.leak_search import EchoingApi, hits_in_bytes, search_database

DAY = "2026-09-01"
FAST = HttpClientResource(timeout_seconds=2, max_retries=0)


def event_text(result: dg.ExecuteInProcessResult) -> bytes:
    return repr([(e.message, e.event_specific_data) for e in result.all_events]).encode()


def test_auth_header_echoed_in_an_api_error_is_scrubbed_everywhere(platform, monkeypatch, caplog, fault_tally):
    secret = f"api-{uuid.uuid4().hex}"
    monkeypatch.setenv("ECHO_TOKEN", secret)
    api = EchoingApi()
    try:
        assets = platform.sources({"echoed": {
            "kind": "api", "base_url": api.url, "endpoint": "/things", "primary_key": ["id"],
            "auth": {"header": "Authorization", "env": "ECHO_TOKEN", "prefix": "Bearer "}}})
        with caplog.at_level("DEBUG"):
            result = platform.materialize(assets, partition_key=DAY, http=FAST)
    finally:
        api.close()
    hits = {"events": hits_in_bytes(event_text(result), [secret]), "logs": hits_in_bytes(caplog.text.encode(), [secret])}
    hits.update(search_database(platform.url, [secret]))
    leaked = sum(hits.values())
    fault_tally.record("Auth header echoed in an API error body", leaked=leaked, detail=str(hits))
    assert not result.success and "HTTP 401" in failure_message(result) and "***" in failure_message(result)
    assert leaked == 0, hits


def test_database_password_never_appears_when_the_connection_fails(platform, caplog, fault_tally):
    secret = f"db-{uuid.uuid4().hex}"
    info = psycopg.conninfo.conninfo_to_dict(platform.url)
    bad = f"postgresql://nobody:{secret}@/warehouse?host={info['host']}&port=1"  # no server on port 1
    (platform.landing / "things").mkdir()
    (platform.landing / "things" / f"things_{DAY}.csv").write_text("id\n1\n")
    assets = platform.sources({"things": {"kind": "csv", "landing_glob": "things/*.csv", "primary_key": ["id"]}})
    resources = {"warehouse": WarehouseResource(database_url=bad), "landing": LandingFolder(path=str(platform.landing))}
    with caplog.at_level("DEBUG"):
        result = dg.materialize(assets, resources=resources, partition_key=DAY, raise_on_error=False)
    hits = {"events": hits_in_bytes(event_text(result), [secret]), "logs": hits_in_bytes(caplog.text.encode(), [secret])}
    fault_tally.record("Database password in a failing connection", leaked=sum(hits.values()), detail=str(hits))
    assert not result.success and "port 1" in failure_message(result) or ".s.PGSQL.1" in failure_message(result)
    assert sum(hits.values()) == 0, hits
