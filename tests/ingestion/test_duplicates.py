"""Issue 20: a key repeated within one extract is never silent.

By default the last row of a repeated key wins, as before, but the load's metadata counts the rows
that lost and a warn-severity check fails; ``duplicates: fail`` turns the same finding into a failed
load that writes nothing. Covered for a CSV upsert (two files of one day repeat a key), a first load
that starts on the direct COPY path, and an API append source (no PRIMARY KEY constraint at all).
"""

from __future__ import annotations

import dagster as dg
import pytest

from tests.ingestion.conftest import failure_message, metadata_of

DAY = "2026-09-02"
KEY = dg.AssetKey(["raw", "people"])
COLUMNS = {"id": "bigint", "name": "text"}


def _land(platform, name: str, text: str) -> None:
    (platform.landing / "people").mkdir(exist_ok=True)
    (platform.landing / "people" / name).write_text(text)


def _entry(**over) -> dict:
    return {"kind": "csv", "landing_glob": "people/people_*.csv", "primary_key": ["id"], "columns": COLUMNS, **over}


def _warning(result) -> dg.AssetCheckEvaluation:
    (found,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "extract_keys_unique"]
    return found


@pytest.mark.parametrize("seeded", [False, True], ids=["first_load_direct_copy", "staged_upsert"])
def test_repeated_key_is_counted_and_the_last_row_wins(platform, seeded):
    assets = platform.sources({"people": _entry()})
    if seeded:  # a committed row first, so the second load goes through the stage
        _land(platform, "people_2026-09-01.csv", "id,name\n9,seed\n")
        assert platform.materialize(assets, partition_key="2026-09-01").success
    _land(platform, f"people_{DAY}.csv", "id,name\n1,old\n2,b\n1,new\n3,c\n3,newer\n1,newest\n")
    result = platform.materialize(assets, partition_key=DAY)
    assert result.success, failure_message(result)
    assert platform.rows("people", "id") == [(1, "newest"), (2, "b"), (3, "newer"), *([(9, "seed")] if seeded else [])]
    meta = metadata_of(result, KEY)
    assert (meta["rows_read"], meta["duplicate_rows"]) == (6, 3)
    check = _warning(result)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert {k: v.value for k, v in check.metadata.items()} == {
        "duplicate_rows": 3, "duplicate_keys": 2, "examples": "(1), (3)", "policy": "last_wins"}


def test_no_repeat_passes_the_check(platform):
    _land(platform, f"people_{DAY}.csv", "id,name\n1,a\n2,b\n")
    result = platform.materialize(platform.sources({"people": _entry()}), partition_key=DAY)
    assert result.success and _warning(result).passed
    assert metadata_of(result, KEY)["duplicate_rows"] == 0


@pytest.mark.parametrize("seeded", [False, True], ids=["first_load", "table_with_rows"])
def test_duplicates_fail_refuses_the_load_and_writes_nothing(platform, seeded):
    assets = platform.sources({"people": _entry(duplicates="fail")})
    if seeded:
        _land(platform, "people_2026-09-01.csv", "id,name\n9,seed\n")
        assert platform.materialize(assets, partition_key="2026-09-01").success
    before = platform.rows("people", "id") if seeded else None
    _land(platform, f"people_{DAY}.csv", "id,name\n1,a\n2,b\n")
    _land(platform, f"people_{DAY}_late.csv", "id,name\n2,b again\n")  # a second file of the day repeats id 2
    result = platform.materialize(assets, partition_key=DAY)
    assert not result.success
    message = failure_message(result)
    assert "raw.people: 2026-09-02: 1 row(s) repeat the primary key (id)" in message, message
    assert "e.g. (2)" in message and "duplicates: fail loads nothing" in message, message
    if seeded:
        assert platform.rows("people", "id") == before
    else:
        assert platform.scalar("SELECT to_regclass('raw.people')") is None  # not even created
    load = platform.last_load("people")
    assert load["status"] == "failed" and "DuplicateKeyError" in load["error"], load
    (platform.landing / "people" / f"people_{DAY}_late.csv").unlink()  # the source fixed: a rerun loads
    assert platform.materialize(assets, partition_key=DAY).success
    assert [r for r in platform.rows("people", "id") if r[0] != 9] == [(1, "a"), (2, "b")]


def test_api_append_source_counts_and_refuses_repeats(platform, fault_server):
    fault_server.records = [{"id": i % 3, "name": f"n{i}", "updated_at": f"{DAY}T{i:02d}:00:00+00:00"} for i in range(5)]
    entry = {"kind": "api", "base_url": fault_server.url, "endpoint": "/things", "load": "append",
             "pagination": {"style": "page", "page_size": 2}, "primary_key": ["id"],
             "columns": {"id": "bigint", "name": "text", "updated_at": "timestamptz"}}
    result = platform.materialize(platform.sources({"people": entry}), partition_key=DAY)
    assert result.success, failure_message(result)
    assert metadata_of(result, KEY)["duplicate_rows"] == 2 and not _warning(result).passed
    refused = platform.materialize(platform.sources({"people": {**entry, "duplicates": "fail"}}), partition_key=DAY)
    assert not refused.success and "2 row(s) repeat the primary key (id)" in failure_message(refused)
    assert platform.scalar("SELECT count(*) FROM raw.people") == 5  # the first load's rows only


def test_unknown_duplicates_setting_fails_at_definition_load(platform):
    with pytest.raises(Exception, match="field 'duplicates': must be one of last_wins, fail; got 'first_wins'"):
        platform.sources({"people": _entry(duplicates="first_wins")})


def test_versions_of_a_key_at_different_cursor_values_are_not_duplicates(platform):
    """With a cursor the newest version wins by declaration; only a tie on the cursor is a repeat."""
    assets = platform.sources({"people": _entry(columns={**COLUMNS, "at": "timestamptz"}, cursor="at",
                                                duplicates="fail")})
    _land(platform, f"people_{DAY}.csv", f"id,name,at\n1,old,{DAY}T09:00:00Z\n1,new,{DAY}T10:00:00Z\n")
    result = platform.materialize(assets, partition_key=DAY)
    assert result.success and _warning(result).passed, failure_message(result)
    assert [r[:2] for r in platform.rows("people", "id")] == [(1, "new")]
    _land(platform, f"people_{DAY}.csv", f"id,name,at\n1,x,{DAY}T11:00:00Z\n1,y,{DAY}T11:00:00Z\n")
    refused = platform.materialize(assets, partition_key=DAY)
    assert "1 row(s) repeat the primary key and cursor (id, at)" in failure_message(refused)
    assert [r[:2] for r in platform.rows("people", "id")] == [(1, "new")]


def test_full_refresh_counts_every_repeat_since_it_keeps_the_last_row_whatever_the_cursor(platform):
    assets = platform.sources({"people": _entry(columns={**COLUMNS, "at": "timestamptz"}, cursor="at",
                                                load="full_refresh", partitioned="none")})
    _land(platform, f"people_{DAY}.csv", f"id,name,at\n1,new,{DAY}T10:00:00Z\n1,old,{DAY}T09:00:00Z\n2,b,{DAY}T09:00:00Z\n")
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    assert metadata_of(result, KEY)["duplicate_rows"] == 1 and not _warning(result).passed
