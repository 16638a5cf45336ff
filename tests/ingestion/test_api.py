"""API extracts against a misbehaving test server: retries, failures that change nothing, paging, auth."""

from __future__ import annotations

import dagster as dg
import pytest

from tests.ingestion.conftest import FAST_HTTP, failure_message, metadata_of
from tests.ingestion.fault_server import RECORDS

COLUMNS = {"thing_id": "bigint", "name": "text", "price": "numeric(12,2)", "updated_at": "timestamptz"}
DAY = "2026-09-01"


def entry(url: str, endpoint: str, **over) -> dict:
    return {"kind": "api", "base_url": url, "endpoint": endpoint, "pagination": {"style": "page", "page_size": 10},
            "primary_key": ["thing_id"], "cursor": "updated_at", "columns": COLUMNS, **over}


def load(platform, server, endpoint: str, name: str = "sources.yaml", **over) -> dg.ExecuteInProcessResult:
    assets = platform.sources({"things": entry(server.url, endpoint, **over)}, name=name)
    return platform.materialize(assets, partition_key=DAY)


def expected_rows():
    return [(r["thing_id"], r["name"], r["price"]) for r in RECORDS]


def test_two_429s_with_retry_after_then_success(platform, fault_server):
    instance = dg.DagsterInstance.ephemeral()
    assets = platform.sources({"things": entry(fault_server.url, "/throttled")})
    result = platform.materialize(assets, partition_key=DAY, instance=instance)
    assert result.success, failure_message(result)
    # The waits the client chose, as it logged them: Retry-After's 1 s, not FAST_HTTP's 0.01 s backoff.
    waits = [e.user_message for e in instance.all_logs(result.run_id) if "HTTP 429; retry" in e.user_message]
    assert [w.rsplit(" ", 1)[1] for w in waits] == ["1.00s", "1.00s"], waits
    assert fault_server.hits["/throttled"] == 2 + 3  # two refusals, then three pages of 10
    assert [(r[0], r[1], str(r[2])) for r in platform.rows("things")] == expected_rows()


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("/broken", "failed after 3 attempts: HTTP 500"),
        ("/truncated", "response body is not valid JSON"),
        ("/slow", "no response within 0.5s (timeout)"),
    ],
)
def test_failures_are_clear_and_leave_the_table_as_it_was(platform, fault_server, endpoint, message):
    assert load(platform, fault_server, "/things").success
    fault_server.records = [{**r, "name": "changed", "updated_at": "2026-09-01T23:00:00+00:00"} for r in RECORDS]
    before = platform.rows("things")
    result = load(platform, fault_server, endpoint, name="bad.yaml")
    assert not result.success
    assert message in failure_message(result), failure_message(result)
    assert platform.rows("things") == before
    audit = platform.last_load("things")
    assert audit["status"] == "failed" and message in audit["error"]
    if endpoint == "/broken":
        assert fault_server.hits["/broken"] == 3  # max_retries=2: three attempts, then stop


@pytest.mark.parametrize("style", ["page", "offset", "cursor", "link"])
def test_every_pagination_style_loads_every_record(platform, fault_server, style):
    result = load(platform, fault_server, "/things", pagination={"style": style, "page_size": 10})
    assert result.success, failure_message(result)
    assert [(r[0], r[1], str(r[2])) for r in platform.rows("things")] == expected_rows()
    meta = metadata_of(result, dg.AssetKey(["raw", "things"]))
    assert meta["pages"] == 3 and meta["rows_read"] == 25 and meta["inserted"] == 25


def test_base_url_comes_from_the_environment_at_run_time(platform, fault_server, monkeypatch):
    assets = platform.sources({"things": entry("http://127.0.0.1:9", "/things", base_url_env="THINGS_API_URL")})
    monkeypatch.setenv("THINGS_API_URL", fault_server.url)
    result = platform.materialize(assets, partition_key=DAY)
    assert result.success, failure_message(result)
    monkeypatch.setenv("THINGS_API_URL", "not a url")
    result = platform.materialize(assets, partition_key=DAY)
    assert "THINGS_API_URL" in failure_message(result)


def test_auth_header_comes_from_env_and_never_reaches_logs_or_metadata(platform, fault_server, monkeypatch):
    auth = {"header": "Authorization", "env": "THINGS_TOKEN", "prefix": "Bearer "}
    monkeypatch.delenv("THINGS_TOKEN", raising=False)
    missing = load(platform, fault_server, "/private", auth=auth)
    assert "THINGS_TOKEN" in failure_message(missing) and not fault_server.hits["/private"]
    monkeypatch.setenv("THINGS_TOKEN", "s3cr3t-t0ken")
    result = load(platform, fault_server, "/private", auth=auth)
    assert result.success, failure_message(result)
    assert "Bearer s3cr3t-t0ken" in fault_server.auth_seen
    events = repr([(e.message, e.event_specific_data) for e in result.all_events])
    assert "s3cr3t" not in events
    assert "s3cr3t" not in repr(platform.last_load("things"))


@pytest.mark.parametrize("policy", ["fail", "add_columns"])
def test_new_api_field_mid_stream_follows_the_drift_policy(platform, fault_server, policy):
    result = load(platform, fault_server, "/drift", schema_drift=policy)
    if policy == "fail":
        assert not result.success
        assert "['color']" in failure_message(result) and "page 2" in failure_message(result)
        return
    assert result.success, failure_message(result)
    assert platform.scalar("SELECT count(*) FILTER (WHERE color = 'red') FROM raw.things") == 15


def test_incremental_request_asks_only_for_the_partition_window(platform, fault_server):
    fault_server.records = [*RECORDS, {"thing_id": 99, "name": "tomorrow", "price": "1.00",
                                       "updated_at": "2026-09-02T01:00:00+00:00"}]
    result = load(platform, fault_server, "/things")
    assert result.success and platform.scalar("SELECT count(*) FROM raw.things") == 25
    meta = metadata_of(result, dg.AssetKey(["raw", "things"]))
    assert meta["updated_since"].startswith("2026-09-01T00:00:00") and meta["updated_until"].startswith("2026-09-02")


def test_unpartitioned_source_continues_from_its_high_water_mark(platform, fault_server):
    assets = platform.sources({"things": entry(fault_server.url, "/things", partitioned="none")})
    assert platform.materialize(assets, http=FAST_HTTP).success
    fault_server.records = [*RECORDS, {"thing_id": 99, "name": "new", "price": "1.00",
                                       "updated_at": "2026-09-03T01:00:00+00:00"}]
    result = platform.materialize(assets)
    meta = metadata_of(result, dg.AssetKey(["raw", "things"]))
    assert meta["updated_since"].startswith("2026-09-01T23:00:00") and meta["inserted"] == 1
    assert platform.scalar("SELECT count(*) FROM raw.things") == 26


@pytest.mark.parametrize("style", ["page", "offset", "link"])
def test_a_top_level_json_array_loads_with_records_field_dot(platform, fault_server, style):
    result = load(platform, fault_server, "/bare", records_field=".", pagination={"style": style, "page_size": 10})
    assert result.success, failure_message(result)
    assert [(r[0], r[1], str(r[2])) for r in platform.rows("things")] == expected_rows()
    assert metadata_of(result, dg.AssetKey(["raw", "things"]))["pages"] == 3


def test_a_top_level_array_without_records_field_dot_says_where_it_looked(platform, fault_server):
    result = load(platform, fault_server, "/bare")
    assert not result.success and "expected a list of objects at 'data'" in failure_message(result)
