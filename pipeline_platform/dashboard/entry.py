"""The platform's Streamlit entry: serves any team's app script unchanged, plus ``/_pp/data_version``.

A deploy must prove, with one plain HTTP GET, that the running server reads the warehouse it just
built, and no team should write a route or a model for that. So every dashboard runs through this
wrapper: it builds a public ``st.App`` around the user's script (Streamlit 1.67 serves it with
uvicorn and keeps every ``/_stcore/*`` route) and adds ``GET /_pp/data_version``, which answers
``{"data_version": str|null}`` computed live from the warehouse over the exposure's relations
(``verify.data_version``: null while one of them does not exist yet; 503 with an ``error`` field
when the warehouse cannot be read). Two ways to start it:

    python -m pipeline_platform.dashboard.entry --exposure NAME [streamlit flags]   # containers
    python -m streamlit run <this file> [flags] -- --app APP.py --relation '"schema"."t"' [--in-place ...]

The first reads the app path and relations from the dbt manifest; the deploy uses the second. The
app's folder goes first on ``sys.path`` (as if it were run directly), and this package's folder is
taken off it, so an app module called ``settings`` or ``server`` is the app's own.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import psycopg
import streamlit as st
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline_platform.dashboard.server import entry_args
from pipeline_platform.dashboard.verify import DATA_VERSION_PATH, data_version
from pipeline_platform.resources.warehouse import libpq_url, resolve_database_url

HERE = Path(__file__).resolve().parent
_NO_STORE = {"Cache-Control": "no-store"}


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m pipeline_platform.dashboard.entry")
    parser.add_argument("--exposure", help="dbt exposure with meta.streamlit: app and relations from the manifest")
    parser.add_argument("--app", help="the Streamlit script to serve (overrides the exposure's)")
    parser.add_argument("--relation", action="append", default=[], help='"schema"."name" the data version covers')
    parser.add_argument("--in-place", action="append", default=[], help="a --relation whose rows count too")
    return parser.parse_known_args(argv)


def target(args: argparse.Namespace) -> tuple[Path, tuple[str, ...], tuple[str, ...]]:
    """The app script, relations and in-place relations the arguments name; exits with the reason
    when they name none."""
    app, relations, in_place = args.app, tuple(args.relation), tuple(args.in_place)
    if args.exposure:
        from pipeline_platform.dashboard.settings import app_path
        from pipeline_platform.dbt.exposure import streamlit_exposures
        from pipeline_platform.dbt.project import manifest_path

        found = {e.name: e for e in streamlit_exposures(manifest_path())}
        if args.exposure not in found:
            sys.exit(f"no dbt exposure '{args.exposure}' with meta.streamlit; the manifest has {sorted(found) or 'none'}")
        exposure = found[args.exposure]
        app = app or str(app_path(exposure))
        relations, in_place = (relations, in_place) if relations else (exposure.relations, exposure.in_place)
    if not app or not relations:
        sys.exit("give --exposure NAME, or --app SCRIPT and at least one --relation")
    script = Path(app).resolve()
    if not script.is_file():
        sys.exit(f"dashboard app script not found: {script}")
    return script, relations, in_place


def route(relations: tuple[str, ...], in_place: tuple[str, ...]) -> Route:
    def served_version(request: Request) -> JSONResponse:
        """Sync on purpose: Starlette runs it in a worker thread, off the event loop."""
        try:
            with psycopg.connect(libpq_url(resolve_database_url()), connect_timeout=5) as conn:
                version = data_version(conn, relations, in_place)
        except psycopg.Error as exc:
            return JSONResponse({"data_version": None, "error": type(exc).__name__}, status_code=503, headers=_NO_STORE)
        return JSONResponse({"data_version": version}, headers=_NO_STORE)

    return Route(DATA_VERSION_PATH, served_version, methods=["GET"])


if __name__ == "__main__":  # the container form: become `streamlit run` of this file (same pid)
    ours, flags = parse(sys.argv[1:])
    target(ours)  # fail here, with the reason, rather than inside the server
    own = [*(("--exposure", ours.exposure) if ours.exposure else ()),
           *entry_args(ours.app, tuple(ours.relation), tuple(ours.in_place))]
    os.execv(sys.executable, [sys.executable, "-m", "streamlit", "run", str(Path(__file__).resolve()), *flags, "--", *own])

SCRIPT, RELATIONS, IN_PLACE = target(parse(sys.argv[1:])[0])  # `streamlit run` hands the script its argv
sys.path[:] = [str(SCRIPT.parent), *(p for p in sys.path if p and Path(p).resolve() != HERE)]
app = st.App(SCRIPT, routes=[route(RELATIONS, IN_PLACE)])
