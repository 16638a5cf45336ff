"""The ``api`` kind: a window's records fetched page by page from a REST endpoint into COPY.

An unpartitioned source with a ``cursor`` asks only for records newer than its table's high-water
mark; a daily one asks for the partition's window. Paging, retries and formatting are ``source.py``,
``pagination.py`` and ``http_client.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline_platform.ingestion.api import source
from pipeline_platform.ingestion.api.validate import ApiFields
from pipeline_platform.ingestion.load.audit import high_water_mark
from pipeline_platform.ingestion.source_kind import SourceKind
from pipeline_platform.ingestion.validate import Entry


@dataclass(frozen=True)
class ApiSpec:
    base_url: str
    base_url_env: str | None
    endpoint: str
    records_field: str
    pagination: dict
    auth: dict | None
    since_param: str
    until_param: str
    params: dict


class ApiEntry(ApiFields, Entry):
    """A source entry with the API field validators."""


def _options(entry) -> ApiSpec:
    e = ApiEntry(entry.path, entry.name, entry.raw)
    records_field = e.string("records_field", default="data")
    if records_field == "." and e.pagination()["style"] == "cursor":
        e.fail("records_field", "a top-level array (\".\") has no next_cursor_field; use page, offset or link paging")
    return ApiSpec(
        base_url=e.url("base_url"),
        base_url_env=e.env_name("base_url_env"),
        endpoint=e.endpoint(),
        records_field=records_field,
        pagination=e.pagination(),
        auth=e.auth(),
        since_param=e.string("since_param", default="updated_since"),
        until_param=e.string("until_param", default="updated_until"),
        params=e.mapping("params"),
    )


def _extract(context, conn, spec, window, existing, make_sink):
    since, until = window.since, window.until
    if not spec.partitioned and spec.cursor and spec.cursor in existing:
        since = high_water_mark(conn, spec)
    client = context.resources.http.client(source.auth_headers(spec), context.log)
    try:
        sink, pages = source.extract(spec, existing, client, since, until, make_sink)
    finally:
        client.close()
    return sink, {"pages": pages, "updated_since": since, "updated_until": until}


API = SourceKind(
    keys=frozenset({"base_url", "base_url_env", "endpoint", "records_field", "pagination", "auth",
                    "since_param", "until_param", "params"}),
    options=_options,
    extract=_extract,
    resource="http",
    continues_from_mark=True,
)
