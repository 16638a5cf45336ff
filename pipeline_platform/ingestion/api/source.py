"""API extracts: each page of JSON records is written as CSV text into the stage's COPY stream.

Nothing accumulates in Python: a page is formatted and handed to COPY while only the next one is
being fetched (``prefetch.Ahead``), so memory is bounded by the page size whatever the volume. The base URL and any auth
secret are resolved from environment variables when the run starts (never at import), so pointing a
source at another server is an environment change, and the secret never reaches logs or metadata.
"""

from __future__ import annotations

from itertools import chain

import dagster as dg
import psycopg

from pipeline_platform.ingestion import drift
from pipeline_platform.ingestion.api.http_client import ApiError
from pipeline_platform.ingestion.api.page_shape import PageShape
from pipeline_platform.ingestion.api.pagination import pages
from pipeline_platform.ingestion.api.prefetch import Ahead
from pipeline_platform.ingestion.api.validate import check_url
from pipeline_platform.ingestion.load.rows import Formatter


def base_url(api) -> str:
    value = (dg.EnvVar(api.base_url_env).get_value() if api.base_url_env else None) or api.base_url
    if why := check_url(value):
        raise ApiError(f"base URL from {api.base_url_env or 'base_url'} {why}")
    return value.rstrip("/")


def auth_headers(spec) -> dict[str, str]:
    auth = spec.options.auth
    if not auth:
        return {}
    secret = dg.EnvVar(auth["env"]).get_value()
    if not secret and auth.get("optional"):  # e.g. the demo shop: a token only when one is configured
        return {}
    if not secret:
        raise ApiError(f"source '{spec.name}': environment variable {auth['env']} (auth secret) is not set")
    return {auth["header"]: f"{auth['prefix']}{secret}"}


def _fields(records: list[dict]) -> set[str]:
    found: set[str] = set()
    found.update(*records)
    return found


def extract(spec, existing: dict, client, since: str | None, until: str | None, make_sink):
    """Fetch every page for the window into ``make_sink(columns)``; returns the sink and the page count."""
    api = spec.options
    url = base_url(api) + api.endpoint
    params = dict(api.params)
    if spec.cursor and since:
        params[api.since_param] = since
    if spec.cursor and until:
        params[api.until_param] = until
    planned = drift.planned_columns(spec, existing)
    fetched = [0]

    def counted(stream):
        for page in stream:
            fetched[0] += 1
            yield page

    with Ahead(pages(client, url, params, api.pagination, api.records_field), on_close=client.close) as ahead:
        return _copy_pages(spec, existing, url, planned, counted(iter(ahead)), fetched, make_sink), fetched[0]


def _copy_pages(spec, existing: dict, url: str, planned: dict, stream, fetched: list, make_sink):
    """Type the columns from page 1, then COPY page after page; a page with new fields, or with values
    a column typed from earlier pages would change (it then widens, see ``drift.RETYPE_EXACTLY``),
    reopens COPY."""
    first, body = next(stream, ([], b""))
    pending = first
    new = drift.accept(spec, planned, sorted(_fields(first)), f"GET {url} page 1")
    types = {c: t or drift.infer([r.get(c) for r in first], True) for c, t in planned.items()}
    types.update({c: existing.get(c) or drift.infer([r.get(c) for r in first], True) for c in new})
    # Typed from values, not declared: every later page must fit too, or the column widens.
    inferred = {c for c, t in planned.items() if not t} | {c for c in new if not existing.get(c)}
    stage = make_sink(types)
    shape = PageShape(spec, f"GET {url}")  # removed fields and type changes, named by page
    while pending is not None:
        columns, known = list(stage.columns), set(stage.columns)
        formatter = Formatter(columns, stage.columns, spec.options.records_field)
        shape.restart()
        try:
            with stage.copy(columns, text=True) as copy:
                for records, body in chain([(pending, body)], stream):
                    fields = _fields(records)
                    shape.check(fetched[0], records, fields)
                    wider = drift.widened(records, {c: stage.columns[c] for c in inferred}) if inferred else {}
                    if not fields <= known or wider:
                        pending = records
                        break
                    copy.write(formatter(records, body))
                    shape.copied(fetched[0], len(records))
                else:
                    pending = None
        except psycopg.errors.DataError as exc:
            if (named := shape.copy_error(exc, stage.columns)) is None:
                raise
            raise named from exc
        if pending is not None:
            where = f"GET {url} page {fetched[0]}"
            for name, kind in wider.items():
                if (target := drift.retype_target(stage.columns[name], kind)) is None:
                    raise drift.SchemaDriftError(
                        f"{where}: field {name!r} was typed {stage.columns[name]} from earlier pages, and this page "
                        f"has values that type would change (they need {kind}); declare the field's type in "
                        f"sources.yaml for source '{spec.name}', e.g. columns: {{{name}: text}}")
                stage.retype(name, target)
            for name in drift.accept(spec, stage.columns, sorted(fields - known), where):
                stage.add_column(name, existing.get(name) or drift.infer([r.get(name) for r in pending], True))
                if not existing.get(name):
                    inferred.add(name)
    return stage
