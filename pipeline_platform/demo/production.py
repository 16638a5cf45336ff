"""The shop's production database: the NPS answers live in an OLTP table that changes under the platform.

Most teams' first raw source is their own application database, where rows are updated in place,
flagged deleted, and now and then really deleted. The demo keeps its survey answers that way: a
second database (``shop_oltp``) on the warehouse's server holds ``public.nps_responses``, which the
platform copies with ``kind: postgres``. Its content is a pure function of an "as of" instant, like
everything the demo serves: the answers given so far (``nps.answered_on``), of which some are later
revised (a new score, ``updated_at`` moves), some withdrawn (``deleted_at`` set), and a few erased
outright (the row is gone: ``deletes: detect`` notices). ``sync`` brings the table to that state
with ordinary UPDATEs, INSERTs and DELETEs, so it changes as the demo's days advance, and a test
that pins the instant gets the same table every time.
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timezone

import psycopg
from psycopg.conninfo import make_conninfo

from pipeline_platform.demo import clock, nps

URL_ENV = "PIPELINE_DEMO_SHOP_DB_URL"  # the url_env of the demo's sources.yaml entry
DATABASE = "shop_oltp"
REVISED, WITHDRAWN, ERASED = 0.12, 0.04, 0.01  # shares of answers changed later, cumulative below
DDL = """
CREATE TABLE IF NOT EXISTS public.nps_responses (
    response_id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    score integer NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment text,
    responded_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX IF NOT EXISTS nps_responses_updated_at ON public.nps_responses (updated_at)
"""
COLUMNS = ("response_id", "customer_id", "score", "comment", "responded_at", "updated_at", "deleted_at")


def _stamp(instant: int | None) -> datetime | None:
    return None if instant is None else datetime.fromtimestamp(instant, timezone.utc)


def _fate(response: nps.Response) -> tuple[str, int, int]:
    """(what happens to an answer later, when, the revised score): kept, revised, withdrawn or erased."""
    rng = random.Random(f"nps_responses:fate:{response.response_id}")
    draw, days, second = rng.random(), rng.randint(1, 10), rng.randrange(clock.DAY)
    at = response.times[0] + days * clock.DAY + second
    score = min(10, max(0, response.score + rng.choice((-3, -2, -1, 1, 2))))
    if draw < REVISED:
        return "revised", at, score
    if draw < REVISED + WITHDRAWN:
        return "withdrawn", at, response.score
    if draw < REVISED + WITHDRAWN + ERASED:
        return "erased", at, response.score
    return "kept", at, response.score


def rows_as_of(as_of=None, scale: float = 1.0) -> list[tuple]:
    """Every row of ``public.nps_responses`` at the instant (``clock.resolve_as_of``), by response_id."""
    now = clock.resolve_as_of(as_of)
    rows = []
    for number in range(clock.day_of(now) + 1):
        for response in nps.answered_on(number, scale):
            responded = response.times[0]
            if responded > now:
                break
            fate, at, score = _fate(response)
            changed = at <= now
            if fate == "erased" and changed:
                continue
            rows.append((response.response_id, response.customer_id, score if fate == "revised" and changed
                         else response.score, response.comment, _stamp(responded),
                         _stamp(at if changed and fate != "kept" else responded),
                         _stamp(at) if fate == "withdrawn" and changed else None))
    return rows


def database_url(server_url: str) -> str:
    """The production database's URL on the server of ``server_url`` (created when missing)."""
    from pipeline_platform.resources.warehouse import libpq_url

    admin = libpq_url(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            try:
                conn.execute(f"CREATE DATABASE {DATABASE}")
            except psycopg.errors.DuplicateDatabase:  # another process created it meanwhile
                pass
    return make_conninfo(admin, dbname=DATABASE)


def sync(url: str, as_of=None, scale: float = 1.0) -> int:
    """Bring the table to its state at ``as_of`` in one transaction; returns the rows it holds."""
    rows = rows_as_of(as_of, scale)
    columns = ", ".join(COLUMNS)
    changed = " OR ".join(f"t.{c} IS DISTINCT FROM w.{c}" for c in COLUMNS[1:])
    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('demo shop nps_responses'))")
        conn.execute(DDL)
        conn.execute("CREATE TEMP TABLE wanted (LIKE public.nps_responses) ON COMMIT DROP")
        with conn.cursor().copy(f"COPY wanted ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute("DELETE FROM public.nps_responses t WHERE NOT EXISTS "
                     "(SELECT 1 FROM wanted w WHERE w.response_id = t.response_id)")
        conn.execute(f"UPDATE public.nps_responses t SET ({columns}) = ROW({', '.join('w.' + c for c in COLUMNS)}) "
                     f"FROM wanted w WHERE w.response_id = t.response_id AND ({changed})")
        conn.execute(f"INSERT INTO public.nps_responses ({columns}) SELECT {columns} FROM wanted "
                     "ON CONFLICT (response_id) DO NOTHING")
    return len(rows)


def configured_url() -> str | None:
    """The production database the sources read, when this process was given one."""
    return os.environ.get(URL_ENV) or None
