"""``kind: postgres``: types from the catalog, windows, high-water mark, deletes, faults, hostile names."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import dagster as dg
import psycopg

from tests.database.conftest import SECRET, URL_ENV, materialize_while_killing
from tests.ingestion.conftest import failure_message, metadata_of

KEY = dg.AssetKey(["raw", "shop_orders"])


def entry(**extra) -> dict:
    return {"shop_orders": {"kind": "postgres", "url_env": URL_ENV, "table": "public.orders",
                            "primary_key": "id", "cursor": "modified", "partitioned": "none", **extra}}


def make_orders(source_db) -> None:
    source_db.run(
        "CREATE TYPE mood AS ENUM ('happy', 'sad')",
        "CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(12,3), big bigint, flag boolean, "
        "doc jsonb, raw_doc json, blob bytea, label text COLLATE \"C\", day date, at time, "
        "modified timestamptz NOT NULL, local_ts timestamp, feeling mood, deleted boolean DEFAULT false)",
        "INSERT INTO orders SELECT g, g * 1.125, 9223372036854775807 - g, g % 2 = 0, "
        "jsonb_build_object('k', g, 'tab', E'a\\tb'), '{\"x\": [1, 2]}', decode('00ff', 'hex'), "
        "E'line\\nbreak \\\\ ' || g, DATE '2026-09-01' + g % 3, TIME '10:30:00', "
        "TIMESTAMPTZ '2026-09-01 08:00:00+00' + (g % 3) * interval '1 day', TIMESTAMP '2026-09-01 08:00', "
        "'happy', false FROM generate_series(1, 300) g",
    )


def test_types_come_from_the_source_catalog_and_values_arrive_unchanged(platform, source_db):
    make_orders(source_db)
    assets = platform.sources(entry())
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    types = _types(platform)
    assert types["amount"] == "numeric(12,3)" and types["big"] == "bigint" and types["flag"] == "boolean"
    assert types["doc"] == "jsonb" and types["raw_doc"] == "json" and types["blob"] == "bytea"
    assert types["modified"] == "timestamp with time zone" and types["feeling"] == "text"
    source = source_db.scalar("SELECT md5(string_agg(concat_ws('|', id, amount, big, flag, doc, raw_doc, blob, label, "
                              "day, at, modified, local_ts, feeling), E'\\n' ORDER BY id)) FROM orders")
    target = platform.scalar("SELECT md5(string_agg(concat_ws('|', id, amount, big, flag, doc, raw_doc, blob, label, "
                             "day, at, modified, local_ts, feeling), E'\\n' ORDER BY id)) FROM raw.shop_orders")
    assert source == target
    meta = metadata_of(result, KEY)
    assert meta["source_rows"] == 300


def _types(platform) -> dict:
    with psycopg.connect(platform.url) as conn:
        return dict(conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = 'raw.shop_orders'::regclass AND a.attnum > 0 AND NOT a.attisdropped").fetchall())


def test_incremental_updates_soft_and_hard_deletes_then_a_rerun_changes_nothing(platform, source_db):
    make_orders(source_db)
    assets = platform.sources(entry(soft_delete="deleted", deletes="detect"))
    assert platform.materialize(assets).success
    source_db.run(
        "UPDATE orders SET amount = 1, modified = TIMESTAMPTZ '2026-09-05 00:00+00' WHERE id IN (1, 2)",
        "UPDATE orders SET deleted = true, modified = TIMESTAMPTZ '2026-09-05 00:00+00' WHERE id = 3",
        "DELETE FROM orders WHERE id IN (4, 5)",
        "INSERT INTO orders (id, amount, modified) VALUES (1000, 5, TIMESTAMPTZ '2026-09-05 00:00+00')",
    )
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    load = platform.last_load("shop_orders")
    assert (load["inserted"], load["updated"], load["deleted"]) == (1, 3, 1)
    assert metadata_of(result, KEY)["deleted_missing"] == 2
    assert platform.scalar("SELECT count(*) FROM raw.shop_orders") == 301  # hard deletes are marked, never dropped
    assert platform.scalar("SELECT array_agg(id ORDER BY id) FROM raw.shop_orders WHERE _deleted_at IS NOT NULL") == [4, 5]
    assert platform.scalar("SELECT amount FROM raw.shop_orders WHERE id = 1") == 1
    # the high-water mark minus the overlap reads only the newest rows
    assert metadata_of(result, KEY)["source_rows"] < 300
    again = platform.materialize(assets)
    load = platform.last_load("shop_orders")
    assert again.success and (load["inserted"], load["updated"], load["deleted"]) == (0, 0, 0)
    assert metadata_of(again, KEY)["deleted_missing"] == 0


def test_an_increment_continues_from_its_recorded_mark_and_counts_rows_without_a_scan(platform, source_db):
    make_orders(source_db)
    assets = platform.sources(entry())
    first = platform.materialize(assets)
    assert first.success, failure_message(first)
    # the load records the newest cursor it wrote; the target keeps its primary key as its only index,
    # so rewriting a changed row inserts into no second index
    assert datetime.fromisoformat(platform.last_load("shop_orders")["cursor_max"]) == datetime(2026, 9, 3, 8, tzinfo=UTC)
    assert platform.scalar("SELECT count(*) FROM pg_index WHERE indrelid = 'raw.shop_orders'::regclass") == 1
    assert metadata_of(first, KEY)["dagster/row_count"] == 300
    source_db.run("INSERT INTO orders (id, amount, modified) SELECT g, 1, TIMESTAMPTZ '2026-09-06 00:00+00' "
                  "FROM generate_series(1001, 1010) g",
                  "UPDATE orders SET amount = 2, modified = TIMESTAMPTZ '2026-09-06 00:00+00' WHERE id = 7")
    second = platform.materialize(assets)
    assert second.success, failure_message(second)
    load = platform.last_load("shop_orders")
    # read from the mark minus the hour of overlap: the last day's 100 rows, the 10 new ones and id 7
    assert (load["rows_read"], load["inserted"], load["updated"]) == (111, 10, 1)
    assert datetime.fromisoformat(load["cursor_max"]) == datetime(2026, 9, 6, tzinfo=UTC)
    assert "| 7 |" in metadata_of(second, KEY)["preview"] or "| 1001 |" in metadata_of(second, KEY)["preview"]
    # the count is the last load's plus what this one inserted, and it is the table's real count
    assert metadata_of(second, KEY)["dagster/row_count"] == 310 == platform.scalar("SELECT count(*) FROM raw.shop_orders")
    assert platform.last_load("shop_orders")["table_rows"] == 310
    # the mark is the recorded one: moved back, the next load reads again from there and changes nothing
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("UPDATE raw._loads SET cursor_max = '2026-09-02T00:00:00+00:00' WHERE load_id = %s",
                     (load["load_id"],))
    again = platform.materialize(assets)
    load = platform.last_load("shop_orders")
    assert again.success and (load["rows_read"], load["inserted"], load["updated"]) == (210, 0, 0)
    assert metadata_of(again, KEY)["preview"].startswith("_No rows")
    # a load recorded before counts and marks were kept (NULL) is counted and scanned once, exactly
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("UPDATE raw._loads SET table_rows = NULL, cursor_max = NULL WHERE asset = 'shop_orders'")
    source_db.run("INSERT INTO orders (id, amount, modified) VALUES (2000, 1, TIMESTAMPTZ '2026-09-07 00:00+00')")
    third = platform.materialize(assets)
    assert third.success and metadata_of(third, KEY)["dagster/row_count"] == 311
    load = platform.last_load("shop_orders")
    assert load["table_rows"] == 311 and load["rows_read"] == 12  # 2026-09-05 23:00 on: 10 + id 7 + 2000
    assert datetime.fromisoformat(load["cursor_max"]) == datetime(2026, 9, 7, tzinfo=UTC)
    # a table emptied by hand starts over
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("TRUNCATE raw.shop_orders")
    fourth = platform.materialize(assets)
    load = platform.last_load("shop_orders")
    assert fourth.success and (load["rows_read"], load["inserted"]) == (311, 311)


def test_a_daily_partition_loads_exactly_its_days_rows(platform, source_db):
    make_orders(source_db)
    assets = platform.sources(entry(partitioned="daily"))
    result = platform.materialize(assets, partition_key="2026-09-02")
    assert result.success, failure_message(result)
    assert platform.scalar("SELECT count(*) FROM raw.shop_orders") == 100
    assert platform.scalar("SELECT count(*) FROM raw.shop_orders WHERE modified::date <> DATE '2026-09-02'") == 0
    again = platform.materialize(assets, partition_key="2026-09-02")
    load = platform.last_load("shop_orders")
    assert again.success and (load["inserted"], load["updated"]) == (0, 0)


def test_a_query_source_and_hostile_names_are_quoted_all_the_way(platform, source_db):
    source_db.run(
        'CREATE SCHEMA "we""ird"',
        'CREATE TABLE "we""ird"."t; drop table x" ("id" int PRIMARY KEY, "a""b; drop" text, "100%s" int, '
        '"Mod" timestamptz)',
        'INSERT INTO "we""ird"."t; drop table x" VALUES (1, \'x\', 2, now())',
        "CREATE TABLE keep_me (id int)",
    )
    assets = platform.sources({"hostile": {"kind": "postgres", "url_env": URL_ENV, "table": 'we"ird.t; drop table x',
                                           "primary_key": "id", "partitioned": "none"},
                               "by_query": {"kind": "postgres", "url_env": URL_ENV, "load": "full_refresh",
                                            "query": "SELECT 7 AS id, 'q' AS v", "primary_key": "id",
                                            "partitioned": "none"}})
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    assert platform.rows("hostile")[0][:3] == (1, "x", 2)
    assert platform.rows("by_query") == [(7, "q")]
    assert source_db.scalar("SELECT count(*) FROM keep_me") == 0


def _log_text(result) -> str:
    parts = [str(e.message) for e in result.all_events] + [failure_message(result)]
    for e in result.get_asset_materialization_events():
        parts.append(repr(e.materialization.metadata))
    return "\n".join(parts)


def test_faults_name_the_source_and_cause_keep_the_target_and_a_rerun_completes(platform, source_db, monkeypatch,
                                                                                fault_tally):
    make_orders(source_db)
    assets = platform.sources(entry())
    assert platform.materialize(assets).success
    before = platform.scalar("SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM raw.shop_orders t")
    source_db.run("UPDATE orders SET amount = 2, modified = now() WHERE id = 1")
    good = source_db.url
    faults = {
        "unreachable": (good.split("@")[0] + "@127.0.0.1:1/nowhere", "cannot connect"),
        "unknown user": (good.replace("postgres:", "nobody_here:", 1), "cannot connect"),
    }
    for fault, (url, cause) in faults.items():
        monkeypatch.setenv(URL_ENV, url)
        result = platform.materialize(assets)
        message = failure_message(result)
        assert not result.success and "source 'shop_orders'" in message and cause in message, message
        assert SECRET not in _log_text(result)
        fault_tally.record(f"postgres source {fault}")
    monkeypatch.setenv(URL_ENV, good)
    source_db.run("ALTER TABLE orders RENAME TO orders_gone")
    result = platform.materialize(assets)
    assert not result.success and "does not exist" in failure_message(result)
    fault_tally.record("postgres source table missing")
    source_db.run("ALTER TABLE orders_gone RENAME TO orders", "ALTER TABLE orders ALTER COLUMN big TYPE text")
    result = platform.materialize(assets)
    message = failure_message(result)
    assert not result.success and "column 'big' is text in the source but bigint" in message, message
    fault_tally.record("postgres source column type changed")
    assert platform.scalar("SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM raw.shop_orders t") == before
    source_db.run("ALTER TABLE orders ALTER COLUMN big TYPE bigint USING big::bigint")
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    assert platform.scalar("SELECT amount FROM raw.shop_orders WHERE id = 1") == 2
    assert SECRET not in _log_text(result)


def test_a_wrong_password_under_password_authentication_names_the_source_and_a_rerun_completes(
        platform, source_db, password_login, monkeypatch, fault_tally):
    role, password, good = password_login
    make_orders(source_db)
    monkeypatch.setenv(URL_ENV, good)
    assets = platform.sources(entry())
    assert platform.materialize(assets).success
    before = platform.scalar("SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM raw.shop_orders t")
    source_db.run("UPDATE orders SET amount = 7, modified = now() WHERE id = 1")
    wrong = good.replace(password, "not-the-pw-4711")
    monkeypatch.setenv(URL_ENV, wrong)
    result = platform.materialize(assets)
    message, logs = failure_message(result), _log_text(result)
    leaked = sum(secret in logs for secret in ("not-the-pw-4711", password, wrong, good))
    fault_tally.record("postgres source wrong password (scram-sha-256)", leaked=leaked)
    assert not result.success and "source 'shop_orders' (postgres): cannot connect" in message, message
    assert f'password authentication failed for user "{role}"' in message, message
    assert leaked == 0
    assert platform.scalar("SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM raw.shop_orders t") == before
    monkeypatch.setenv(URL_ENV, good)
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    assert platform.scalar("SELECT amount FROM raw.shop_orders WHERE id = 1") == 7
    assert password not in _log_text(result)


def test_source_server_killed_mid_extract_leaves_the_target_and_a_rerun_completes(platform, source_db, fault_tally):
    query = ("SELECT g AS id, md5(g::text) AS v, pg_sleep(CASE WHEN g % 20000 = 0 THEN 0.05 ELSE 0 END)::text AS s "
             "FROM generate_series(1, 400000) g")
    assets = platform.sources({"slow": {"kind": "postgres", "url_env": URL_ENV, "query": query, "primary_key": "id",
                                        "partitioned": "none", "load": "full_refresh"}})
    backend = []

    def copying() -> bool:
        with psycopg.connect(source_db.url, autocommit=True) as watch:
            backend[:] = watch.execute("SELECT pid FROM pg_stat_activity WHERE application_name = "
                                       "'pipeline-platform source slow' AND query LIKE 'COPY%%'").fetchall()
        return bool(backend)

    def terminate() -> None:
        time.sleep(0.1)
        with psycopg.connect(source_db.url, autocommit=True) as watch:
            assert watch.execute("SELECT pg_terminate_backend(%s)", backend[0]).fetchone()[0]

    result, killed = materialize_while_killing(platform, assets, copying, terminate)
    message = failure_message(result)
    assert killed
    assert not result.success and "source 'slow'" in message and "mid-extract" in message, message
    assert platform.scalar("SELECT to_regclass('raw.slow')") is None
    rerun = platform.materialize(assets)
    assert rerun.success, failure_message(rerun)
    assert platform.scalar("SELECT count(*) FROM raw.slow") == 400000
    fault_tally.record("postgres source killed mid-extract", tries=2)


def test_an_unmappable_type_fails_naming_the_column(platform, source_db):
    source_db.run("CREATE TYPE pair AS (a int, b int)", "CREATE TABLE odd (id int PRIMARY KEY, p pair)",
                  "INSERT INTO odd VALUES (1, ROW(1, 2))")
    assets = platform.sources({"odd": {"kind": "postgres", "url_env": URL_ENV, "table": "odd", "primary_key": "id",
                                       "partitioned": "none"}})
    result = platform.materialize(assets)
    assert not result.success and "column 'p' has type pair" in failure_message(result)


def test_database_keys_are_checked_when_the_definitions_load(tmp_path):
    import pytest
    import yaml

    from pipeline_platform.ingestion.config import SourceConfigError, load_sources

    def parse(entry):
        path = tmp_path / "s.yaml"
        path.write_text(yaml.safe_dump({"sources": {"s": {"kind": "postgres", "partitioned": "none", **entry}}}))
        return load_sources(path)

    with pytest.raises(SourceConfigError, match="field 'url_env': required"):
        parse({"table": "t", "primary_key": "id"})
    with pytest.raises(SourceConfigError, match="exactly one of"):
        parse({"url_env": "X", "table": "t", "query": "select 1", "primary_key": "id"})
    with pytest.raises(SourceConfigError, match="field 'deletes'"):
        parse({"url_env": "X", "table": "t", "load": "append", "deletes": "detect"})
    with pytest.raises(SourceConfigError, match="field 'landing_glob': not valid for kind 'postgres'"):
        parse({"url_env": "X", "table": "t", "primary_key": "id", "landing_glob": "*.csv"})
    assert parse({"url_env": "X", "table": "a.b", "primary_key": "id"})[0].options.table == ("a", "b")


def test_without_a_psql_child_the_copy_is_relayed_in_process_and_lands_the_same(platform, source_db, monkeypatch):
    from pipeline_platform.ingestion.database import postgres

    make_orders(source_db)
    assets = platform.sources(entry(deletes="detect"))
    columns = "id, amount, big, flag, doc, raw_doc, blob, label, day, at, modified, local_ts, feeling, deleted"
    digest = f"SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM (SELECT {columns} FROM raw.shop_orders) t"
    loaded = {}
    for way, psql in (("psql child", postgres.psql_binary), ("in process", lambda: None)):
        monkeypatch.setattr(postgres, "psql_binary", psql)
        with psycopg.connect(platform.url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS raw.shop_orders")
        result = platform.materialize(assets)
        assert result.success, failure_message(result)
        loaded[way] = (platform.scalar(digest), platform.scalar("SELECT count(*) FROM raw.shop_orders"))
    assert loaded["psql child"] == loaded["in process"] and loaded["in process"][1] == 300


def test_rows_changed_during_the_extract_or_committed_late_arrive_by_the_next_run(platform, source_db, fault_tally):
    """The extract reads one snapshot, so a row updated while it runs keeps its old version in this
    run; its newer cursor is past the recorded mark, so the next run brings it. A row committed late
    with a cursor older than the mark (a long OLTP transaction) is inside the hour of overlap."""
    make_orders(source_db)
    # the same rows through a query that holds the COPY open for a second and a half at id 150
    query = ("SELECT id, amount, modified FROM orders WHERE pg_sleep(CASE WHEN id = 150 THEN 1.5 ELSE 0 END)::text = ''")
    assets = platform.sources({"shop_orders": {"kind": "postgres", "url_env": URL_ENV, "query": query,
                                               "primary_key": "id", "cursor": "modified", "partitioned": "none"}})
    changed = []

    def copying() -> bool:
        with psycopg.connect(source_db.url, autocommit=True) as watch:
            return bool(watch.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = "
                                      "'pipeline-platform source shop_orders' AND query LIKE 'COPY%%'").fetchall())

    def change() -> None:
        source_db.run("UPDATE orders SET amount = 77, modified = TIMESTAMPTZ '2026-09-10 00:00+00' WHERE id = 7",
                      # older than every row the run reads last (2026-09-03 08:00), committed after it began
                      "INSERT INTO orders (id, amount, modified) VALUES (5000, 5, TIMESTAMPTZ '2026-09-03 07:30+00')")
        changed.append(True)

    first, fired = materialize_while_killing(platform, assets, copying, change)
    assert first.success, failure_message(first)
    assert fired and changed
    # this run saw the snapshot it began with: id 7's old version, no id 5000, and the mark it wrote
    assert platform.scalar("SELECT amount FROM raw.shop_orders WHERE id = 7") == Decimal("7.875")
    assert platform.scalar("SELECT count(*) FROM raw.shop_orders WHERE id = 5000") == 0
    assert datetime.fromisoformat(platform.last_load("shop_orders")["cursor_max"]) == datetime(2026, 9, 3, 8, tzinfo=UTC)
    second = platform.materialize(assets)
    assert second.success, failure_message(second)
    load = platform.last_load("shop_orders")
    assert (load["inserted"], load["updated"]) == (1, 1)
    assert platform.scalar("SELECT amount FROM raw.shop_orders WHERE id = 7") == 77
    assert platform.scalar("SELECT amount FROM raw.shop_orders WHERE id = 5000") == 5
    with psycopg.connect(source_db.url) as conn:
        source = conn.execute("SELECT id, amount, modified FROM orders").fetchall()
    with psycopg.connect(platform.url) as conn:
        target = conn.execute("SELECT id, amount, modified FROM raw.shop_orders").fetchall()
    lost, duplicated = len(set(source) - set(target)), len(target) - len({row[0] for row in target})
    assert (lost, duplicated, len(target)) == (0, 0, 301)
    fault_tally.record("postgres source rows changed mid-extract and committed late", tries=2, lost=lost,
                       duplicated=duplicated)
