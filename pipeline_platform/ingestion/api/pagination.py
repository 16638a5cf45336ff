"""Pagination styles for API extracts, each a generator of record pages.

APIs paginate in four common ways (page number, offset, an opaque cursor in the body, an RFC 5988
``Link`` header); the loader consumes one page at a time whatever the style, so memory is bounded by
the page size, not by the volume (``prefetch.Ahead`` keeps them flowing one page ahead).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from pipeline_platform.ingestion.api.http_client import ApiError, HttpClient


BODY = "."  # records_field for APIs whose body is the array of records itself (GitHub style)


def records_of(body: dict | list, field: str, url: str) -> list[dict]:
    value = body
    for part in field.split(".") if field != BODY else ():
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, list) or not set(map(type, value)) <= {dict}:
        where = "as the response body" if field == BODY else f"at '{field}' in the response body"
        raise ApiError(f"GET {url}: expected a list of objects {where}")
    return value


def pages(client: HttpClient, url: str, params: dict, paging: dict, field: str) -> Iterator[tuple[list[dict], bytes]]:
    """Yield ``(records, raw body)`` per page until the API signals the last one."""
    style, size = paging["style"], paging["page_size"]
    base = {**params, paging["size_param"]: size}
    if style in ("page", "offset"):
        key = paging["page_param"] if style == "page" else paging["offset_param"]
        position = 1 if style == "page" else 0
        while True:
            body, content, _ = client.get_json(url, {**base, key: position})
            records = records_of(body, field, url)
            yield records, content
            if len(records) < size:
                return
            position += 1 if style == "page" else len(records)
    elif style == "cursor":
        token, seen = None, set()
        while True:
            body, content, _ = client.get_json(url, {**base, paging["cursor_param"]: token} if token else base)
            yield records_of(body, field, url), content
            token = body.get(paging["next_cursor_field"])
            if not token:
                return
            if token in seen:
                raise ApiError(f"GET {url}: next cursor {token!r} repeats; the API is paging in a loop")
            seen.add(token)
    else:  # link
        next_url, query, seen = url, base, set()
        while next_url:
            body, content, resp = client.get_json(next_url, query)
            yield records_of(body, field, url), content
            link = resp.links.get("next", {}).get("url")
            next_url, query = (urljoin(resp.url, link) if link else None), None
            if next_url in seen:
                raise ApiError(f"GET {url}: Link rel=next {next_url} repeats; the API is paging in a loop")
            seen.add(next_url)
