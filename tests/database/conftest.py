"""Fixtures for database sources: a second database on the session's embedded Postgres as the OLTP source.

The source is a real Postgres database the test fills with SQL, reached through an environment
variable as a team's production database would be; its URL carries a password (ignored by the
embedded server's local trust) so tests can prove the secret never shows up anywhere.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests.ingestion.conftest import Platform

SECRET = "s3cret-do-not-log"
URL_ENV = "TEST_SOURCE_DB_URL"


class SourceDb:
    def __init__(self, url: str):
        self.url = url

    def run(self, *statements: str, params=None) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement, params)

    def scalar(self, query: str):
        with psycopg.connect(self.url) as conn:
            return conn.execute(query).fetchone()[0]


@pytest.fixture
def source_db(pg_server, database_url, monkeypatch):
    name = f"oltp_{uuid.uuid4().hex[:8]}"
    admin = pg_server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = pg_server.get_uri(database=name).replace("postgres:@", f"postgres:{SECRET}@")
    monkeypatch.setenv(URL_ENV, url)
    yield SourceDb(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def password_login(pg_server, source_db):
    """(role, password, URL) of a role that must give its password: a ``scram-sha-256`` line for it
    alone heads the session server's pg_hba.conf (everyone else keeps local trust), so a wrong
    password meets real password authentication. The role may read the source database."""
    role, password = f"pp_reader_{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
    hba = Path(pg_server.pgdata) / "pg_hba.conf"
    line = f"local all {role} scram-sha-256\n"
    admin = pg_server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SET password_encryption = 'scram-sha-256'")
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        hba.write_text(line + hba.read_text())
        conn.execute("SELECT pg_reload_conf()")
    source_db.run(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
                  f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}")
    yield role, password, source_db.url.replace(f"postgres:{SECRET}@", f"{role}:{password}@")
    with psycopg.connect(admin, autocommit=True) as conn:
        hba.write_text(hba.read_text().replace(line, ""))
        conn.execute("SELECT pg_reload_conf()")
    source_db.run(f"DROP OWNED BY {role}")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def platform(clean_warehouse, tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    return Platform(clean_warehouse, tmp_path, landing)


def materialize_while_killing(platform, assets, kill_point: Callable[[], bool], kill: Callable[[], None],
                              seconds: float = 60):
    """Materialize ``assets`` while a watcher calls ``kill`` once ``kill_point()`` holds; (result, killed)."""
    done, killed = threading.Event(), []

    def watch():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not done.is_set():
            if kill_point():
                kill()
                killed.append(True)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        result = platform.materialize(assets)
    finally:
        done.set()
        thread.join(timeout=seconds + 10)
    return result, bool(killed)
