"""What the source-fault tests share: the ``things`` records and source, and reads of what got stored.

Records carry the awkward values a real API sends (an empty string, quotes, a newline, a formula)
so every fault is also a formatting test; timestamps stay inside the one partition day, so the
loader's window never hides a record and "newest" is decided by the cursor alone.
"""

from __future__ import annotations

from datetime import timezone

import psycopg

from pipeline_platform.ingestion.api.http_client import HttpClientResource
from tests.ingestion.conftest import Platform
from tests.reliability.flaky_api import FlakyApi

DAY = "2026-09-01"
COLUMNS = {"thing_id": "bigint", "name": "text", "price": "numeric(12,2)", "updated_at": "timestamptz"}
# Tiny backoffs keep ~80 injected faults to a few seconds; the timeout is the one real wait.
HTTP = HttpClientResource(timeout_seconds=0.2, max_retries=4, backoff_seconds=0.001, max_backoff_seconds=0.01,
                          max_retry_after_seconds=1.0)


def stamp(seconds: int) -> str:
    return f"{DAY}T{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+00:00"


def thing(i: int, name: str | None = None, at: int | None = None) -> dict:
    odd = ["", 'say "hi", twice', "two\nlines", "=cmd|' /C calc'!A0"][i % 4] if i % 9 == 0 else f"thing {i}"
    return {"thing_id": i, "name": odd if name is None else name, "price": f"{i}.25",
            "updated_at": stamp(6 * 3600 + i if at is None else at)}


def entry(url: str, style: str = "page", **over) -> dict:
    return {"kind": "api", "base_url": url, "endpoint": "/things", "pagination": {"style": style, "page_size": 10},
            "primary_key": ["thing_id"], "cursor": "updated_at", "columns": COLUMNS, **over}


def snapshot(platform: Platform, table: str = "things") -> list[tuple] | None:
    with psycopg.connect(platform.url) as conn:
        if conn.execute("SELECT to_regclass(%s)", (f"raw.{table}",)).fetchone()[0] is None:
            return None
        return conn.execute(f"SELECT * FROM raw.{table} ORDER BY thing_id").fetchall()


def stored(platform: Platform, table: str = "things") -> dict[int, tuple]:
    rows = platform.rows(table, order="thing_id")
    return {r[0]: (r[1], str(r[2]), r[3].astimezone(timezone.utc).isoformat()) for r in rows}


def as_stored(record: dict) -> tuple:
    return (record["name"], record["price"], record["updated_at"])


def shift_and_revise(api: FlakyApi, page: list[dict]) -> None:
    """After each page: insert a record ahead of the offset (the page's last record comes again on the
    next page) and give that record a newer version, or, every other page, a stale replica's older one."""
    last = page[-1]
    at = next(i for i, r in enumerate(api.records) if r["thing_id"] == last["thing_id"])
    ids = {r["thing_id"] for r in api.records}
    new_id = last["thing_id"] - 1
    while new_id in ids:
        new_id -= 1
    api.records.insert(at, thing(new_id, name="inserted mid-extract"))
    older = len(api.served) // 10 % 2 == 0
    seconds = 6 * 3600 + last["thing_id"] + (-60 if older else 60) * (len(api.served) // 10 + 1)
    api.records[at + 1] = {**last, "name": f"{last['name']} ({'stale' if older else 'newer'})", "updated_at": stamp(seconds)}


def newest(records: list[dict]) -> dict[int, tuple]:
    best: dict[int, dict] = {}
    for r in records:  # ties keep the later copy, as the upsert does
        if r["thing_id"] not in best or r["updated_at"] >= best[r["thing_id"]]["updated_at"]:
            best[r["thing_id"]] = r
    return {k: as_stored(r) for k, r in best.items()}


def failure_message_of(event) -> str:
    error, parts = event.step_failure_data.error, []
    while error is not None:
        parts.append(error.message)
        error = error.cause
    return "\n".join(parts)
