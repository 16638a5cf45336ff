"""``kind: mysql`` against a real MariaDB (Debian's ``mariadb-server``) started in a temp directory."""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from tests.database.conftest import materialize_while_killing
from tests.database.mariadb import MariaDb
from tests.ingestion.conftest import failure_message, metadata_of

URL_ENV = "TEST_MYSQL_URL"
SECRET = "my-s3cret-pw"
KEY = dg.AssetKey(["raw", "nps"])
BIG = 300_000  # rows: long enough an extract to kill the server in the middle of it


@pytest.fixture(scope="module")
def mariadb(tmp_path_factory):
    server = MariaDb(tmp_path_factory.mktemp("mariadb"))
    server.set_password(SECRET)
    yield server
    server.stop()


@pytest.fixture
def shop(mariadb, monkeypatch):
    mariadb.sql("DROP DATABASE IF EXISTS shop", "CREATE DATABASE shop")
    monkeypatch.setenv(URL_ENV, mariadb.url("shop", SECRET))
    return mariadb


def entry(**extra) -> dict:
    return {"nps": {"kind": "mysql", "url_env": URL_ENV, "table": "shop.nps", "primary_key": "id",
                    "cursor": "modified", "soft_delete": "deleted", "partitioned": "none",
                    "source_timezone": "Europe/Paris", **extra}}


def fill(db) -> None:
    db.sql(
        "SET SESSION sql_mode = ''",
        "CREATE TABLE nps (id bigint unsigned PRIMARY KEY, score tinyint, happy tinyint(1), amount decimal(12,3), "
        "note text COLLATE utf8mb4_unicode_ci, body blob, answered date, modified datetime(3) NOT NULL, "
        "stamped timestamp NULL, deleted tinyint(1) NOT NULL DEFAULT 0, `we``ird; drop` varchar(10))",
        "INSERT INTO nps VALUES (18446744073709551615, 9, 1, 12.500, 'tab\\there\\nnew \\\\ line', x'00ff', "
        "'2026-09-01', '2026-09-01 10:00:00.250', '2026-09-01 08:00:00', 0, 'x'), "
        "(2, 3, 0, NULL, 'été', NULL, '0000-00-00', '2026-09-02 01:30:00', NULL, 0, NULL), "
        "(3, 7, 1, 1.000, 'three', NULL, '2026-09-02', '2026-09-02 23:30:00', NULL, 0, NULL)",
        database="shop")


def test_types_zero_dates_timezones_and_incremental_deletes(platform, shop):
    fill(shop)
    assets = platform.sources(entry(deletes="detect"))
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    rows = {r[0]: r for r in platform.rows("nps")}
    big = rows[18446744073709551615]
    assert big[1:6] == (9, True, 12.5, "tab\there\nnew \\ line", b"\x00\xff")
    assert str(big[7]) == "2026-09-01 08:00:00.250000+00:00"  # 10:00 Paris (DATETIME) is 08:00 UTC
    assert str(big[8]) == "2026-09-01 08:00:00+00:00"  # TIMESTAMP is UTC
    assert rows[2][6] is None and rows[2][4] == "été"
    meta = metadata_of(result, KEY)
    assert meta["zero_dates"] == 1 and meta["source_rows"] == 3
    shop.sql("UPDATE nps SET score = 10, modified = '2026-09-05 12:00:00' WHERE id = 3",
             "UPDATE nps SET deleted = 1, modified = '2026-09-05 12:00:00' WHERE id = 2",
             "DELETE FROM nps WHERE id = 18446744073709551615", database="shop")
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    load = platform.last_load("nps")
    assert (load["inserted"], load["updated"], load["deleted"]) == (0, 2, 1)
    assert metadata_of(result, KEY)["deleted_missing"] == 1
    assert platform.scalar("SELECT count(*) FROM raw.nps WHERE _deleted_at IS NOT NULL") == 1
    again = platform.materialize(assets)
    load = platform.last_load("nps")
    assert again.success and (load["inserted"], load["updated"], load["deleted"]) == (0, 0, 0)
    text = "\n".join(str(e.message) for e in again.all_events) + repr(metadata_of(again, KEY))
    assert SECRET not in text


def test_a_daily_partition_reads_its_window_in_the_source_timezone(platform, shop):
    fill(shop)
    assets = platform.sources(entry(partitioned="daily"))
    result = platform.materialize(assets, partition_key="2026-09-02")
    assert result.success, failure_message(result)
    # 2026-09-02 01:30 Paris is 09-01 23:30 UTC: day 1; 09-02 23:30 Paris is 21:30 UTC: day 2
    assert [r[0] for r in platform.rows("nps")] == [3]


def test_mysql_faults_name_the_source_keep_the_target_and_a_rerun_completes(platform, shop, monkeypatch,
                                                                            fault_tally):
    fill(shop)
    assets = platform.sources(entry())
    assert platform.materialize(assets).success
    before = platform.rows("nps")
    monkeypatch.setenv(URL_ENV, shop.url("shop", "wrong-password"))
    result = platform.materialize(assets)
    message = failure_message(result)
    assert not result.success and "source 'nps' (mysql): cannot connect" in message and "wrong-password" not in message
    fault_tally.record("mysql source wrong password")
    monkeypatch.setenv(URL_ENV, shop.url("shop", SECRET).replace("unix_socket=", "unix_socket=/nonexistent"))
    result = platform.materialize(assets)
    assert not result.success and "cannot connect" in failure_message(result)
    fault_tally.record("mysql source unreachable")
    monkeypatch.setenv(URL_ENV, shop.url("shop", SECRET))
    shop.sql("RENAME TABLE nps TO nps_gone", database="shop")
    result = platform.materialize(assets)
    assert not result.success and "does not exist" in failure_message(result)
    fault_tally.record("mysql source table missing")
    shop.sql("RENAME TABLE nps_gone TO nps", "ALTER TABLE nps MODIFY score varchar(5)", database="shop")
    result = platform.materialize(assets)
    assert not result.success and "column 'score' is text in the source but smallint" in failure_message(result)
    fault_tally.record("mysql source column type changed")
    assert platform.rows("nps") == before
    shop.sql("ALTER TABLE nps MODIFY score tinyint", database="shop")
    assert platform.materialize(assets).success


def test_mariadb_killed_mid_extract_fails_cleanly_and_a_rerun_after_its_restart_loads_every_row_once(
        platform, tmp_path, monkeypatch, fault_tally):
    server = MariaDb(tmp_path / "doomed")
    try:
        server.sql("SET SESSION max_recursive_iterations = 10000000", "CREATE DATABASE big",
                   "CREATE TABLE big.t (id bigint PRIMARY KEY, v varchar(64))",
                   "INSERT INTO big.t WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
                   f"WHERE i < {BIG}) SELECT i, md5(i) FROM s")
        monkeypatch.setenv(URL_ENV, server.url("big"))
        assets = platform.sources({"big_t": {"kind": "mysql", "url_env": URL_ENV, "table": "big.t",
                                             "primary_key": "id", "partitioned": "none"}})

        def copying() -> bool:
            return bool(platform.scalar("SELECT count(*) FROM pg_stat_progress_copy WHERE command = 'COPY FROM'"))

        result, killed = materialize_while_killing(platform, assets, copying, server.kill)
        assert killed
        message = failure_message(result)
        assert not result.success and "source 'big_t' (mysql)" in message, message
        assert platform.scalar("SELECT to_regclass('raw.big_t')") is None
        server.start()  # crash recovery on the same data directory
        rerun = platform.materialize(assets)
        with psycopg.connect(platform.url) as conn:
            rows, ids, wrong = conn.execute(
                "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE v <> md5(id::text)) FROM raw.big_t").fetchone()
        lost, duplicated = BIG - ids, rows - ids
        fault_tally.record("mariadb killed mid-extract, rerun after its restart", tries=2, lost=lost,
                           duplicated=duplicated, partial=int(wrong))
        assert rerun.success
        assert (rows, ids, wrong, platform.scalar("SELECT min(id) + max(id) FROM raw.big_t")) == (BIG, BIG, 0, BIG + 1)
    finally:
        server.stop()
