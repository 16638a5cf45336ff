"""The API's four ways to page one ordered window, reduced to a single ``[start, stop)`` slice.

Page numbers, offsets and cursors all index the same (updated_at, primary key) order, so every
style returns each record exactly once. The cursor is a keyset position (the last key served),
not an offset: a record that changes between two calls moves behind the cursor instead of
shifting every later page by one. An empty ``cursor=`` starts a cursor walk at the beginning.
"""

from __future__ import annotations

import base64
from typing import NamedTuple
from urllib.parse import urlencode

DEFAULT_SIZE = 1000
MAX_SIZE = 50_000


class BadRequest(ValueError):
    """A query the API answers with 400; the message says which parameter is wrong."""


class Slice(NamedTuple):
    start: int
    stop: int
    page: int | None
    next_params: dict | None  # pagination parameters of the next page, None on the last one


def encode_cursor(updated_at: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{updated_at}:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        version, updated_at, pk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")
        if version != "v1":
            raise ValueError(version)
        return int(updated_at), int(pk)
    except ValueError as exc:
        raise BadRequest(f"cursor: not a cursor this API issued ({cursor!r})") from exc


def _int(query: dict, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = query.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"{name}: expected an integer, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        raise BadRequest(f"{name}: must be between {low} and {high or 'any'}, got {value}")
    return value


def plan(query: dict, snapshot) -> Slice:
    """Slice of ``snapshot`` that ``query`` (single-valued params) asks for."""
    styles = [s for s, names in (("page", ("page", "page_size")), ("offset", ("offset",)), ("cursor", ("cursor",)))
              if any(n in query for n in names)]
    if len(styles) > 1:
        raise BadRequest(f"use one pagination style, got {' and '.join(styles)}")
    style = styles[0] if styles else ("offset" if "limit" in query else "page")
    total = len(snapshot)
    if style == "page":
        size = _int(query, "page_size", DEFAULT_SIZE, 1, MAX_SIZE)
        page = _int(query, "page", 1, 1)
        start = (page - 1) * size
        following = {"page": page + 1, "page_size": size}
    else:
        size = _int(query, "limit", DEFAULT_SIZE, 1, MAX_SIZE)
        page = None
        if style == "offset":
            start = _int(query, "offset", 0, 0)
        else:
            start = snapshot.after(*decode_cursor(query["cursor"])) if query["cursor"] else 0
    stop = min(start + size, total)
    if stop >= total:
        return Slice(min(start, total), total, page, None)
    if style == "offset":
        following = {"offset": stop, "limit": size}
    elif style == "cursor":
        following = {"cursor": encode_cursor(*snapshot.key(stop - 1)), "limit": size}
    return Slice(start, stop, page, following)


def next_link(base_url: str, path: str, query: dict, following: dict) -> str:
    """RFC 5988 ``Link`` value for the next page, keeping the window parameters."""
    kept = {k: query[k] for k in ("updated_since", "updated_until") if k in query}
    return f'<{base_url}{path}?{urlencode({**kept, **following})}>; rel="next"'
