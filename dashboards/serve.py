"""Server entry point: the dashboard page plus ``GET /_pp/data_version``, through public API only.

A deploy step must prove, with one plain HTTP GET, that the running server reads the warehouse it
just built. Streamlit 1.67 serves on Starlette and offers ``st.App(script, routes=...)`` publicly;
``streamlit run`` detects the ``app`` object below and serves it with uvicorn, keeping every
``/_stcore/*`` route (health included). Start it (from the repo root) with:

    python -m streamlit run dashboards/serve.py --server.address 127.0.0.1 --server.port 8501 \
        --server.headless true --browser.gatherUsageStats false

``GET /_pp/data_version`` answers ``{"data_version": str|null, "data_as_of": ISO-8601|null}``, read
live (uncached) from ``marts.mart_build_info``; nulls mean the marts are not built yet; 503 with an
``error`` field when the warehouse cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DATA_VERSION_PATH = "/_pp/data_version"
_NO_STORE = {"Cache-Control": "no-store"}


def data_version(request: Request) -> JSONResponse:
    """Sync on purpose: Starlette runs it in a worker thread, off the event loop."""
    import pp_warehouse  # here, not at import: its caches must be declared once the runtime exists

    try:
        info = pp_warehouse.build_info()
    except sa.exc.SQLAlchemyError as exc:
        error = type(getattr(exc, "orig", None) or exc).__name__
        body = {"data_version": None, "data_as_of": None, "error": error}
        return JSONResponse(body, status_code=503, headers=_NO_STORE)
    if info is None:
        return JSONResponse({"data_version": None, "data_as_of": None}, headers=_NO_STORE)
    as_of = info["data_as_of"]
    body = {"data_version": info["data_version"], "data_as_of": as_of.isoformat() if as_of else None}
    return JSONResponse(body, headers=_NO_STORE)


app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[Route(DATA_VERSION_PATH, data_version, methods=["GET"])],
)
