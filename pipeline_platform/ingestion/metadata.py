"""Materialization metadata: counts, the table's row count and a few rows of what this load wrote.

A glance at the asset page should answer "did it load, how much, and does it look right" without
opening a SQL client; the preview shows rows of this load only, truncated so metadata stays small.
"""

from __future__ import annotations

import dagster as dg
from psycopg import sql


def _cell(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ").replace("\r", " ")
    return text if len(text) <= 40 else text[:39] + "…"


def preview(conn, target, load_id: int, limit: int = 5) -> str:
    cur = conn.execute(sql.SQL("SELECT * FROM {} WHERE _load_id = %s LIMIT %s").format(target), (load_id, limit))
    names = [d.name for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return "_No rows were inserted or changed by this load._"
    lines = ["| " + " | ".join(_cell(n) for n in names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def materialization(counts: dict, row_count: int, load_id: int, preview_md: str, extra: dict) -> dict:
    return {
        "dagster/row_count": dg.IntMetadataValue(row_count),
        **{k: dg.IntMetadataValue(counts.get(k, 0)) for k in ("rows_read", "inserted", "updated", "deleted", "duplicate_rows")},
        "load_id": dg.IntMetadataValue(load_id),
        "preview": dg.MetadataValue.md(preview_md),
        **{k: v for k, v in extra.items() if v is not None},
    }
