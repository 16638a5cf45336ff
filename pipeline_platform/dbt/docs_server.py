"""The dbt docs site over HTTP, served by a detached process the platform manages like the dashboard.

Browsers refuse a ``file://`` link on an ``http://`` page, so the ``dbt_docs`` asset's link only works
when the site is served. After each docs build the asset publishes the one-file site into the site
folder (``PIPELINE_DBT_DOCS_DIR``, default ``<state>/dbt_docs/site``; an atomic replace: a reader never
sees half a page). In ``local`` mode (the default: ``make dev``, ``make run``) it makes sure a plain
static file server (Python's ``http.server``, bound to the host of ``PIPELINE_DBT_DOCS_URL``, 127.0.0.1
by default) serves that folder; it outlives the run, is reused by the next build and is found again by
``make stop`` through ``<state>/dbt_docs/state.json`` (``pid``, ``url``). ``make dev`` serves a site
built before. In ``external`` mode (``PIPELINE_DBT_DOCS_MODE``; the compose deployment) a long-running
service of the deployment serves the folder, a volume it shares with the containers the step runs in:
the platform only publishes the file and links ``PIPELINE_DBT_DOCS_URL``, starting and stopping nothing,
since a container's process would die with its run worker and the URL is the browser's, not the step's.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pipeline_platform import processes
from pipeline_platform.resources.embedded import state_dir

DOCS_URL_ENV = "PIPELINE_DBT_DOCS_URL"
DOCS_MODE_ENV = "PIPELINE_DBT_DOCS_MODE"
DOCS_DIR_ENV = "PIPELINE_DBT_DOCS_DIR"
DEFAULT_DOCS_URL = "http://127.0.0.1:8580"
MODES = ("local", "external")
START_TIMEOUT = 30.0


class DocsServerError(RuntimeError):
    pass


def docs_url() -> str:
    return (os.environ.get(DOCS_URL_ENV) or DEFAULT_DOCS_URL).rstrip("/")


def docs_mode() -> str:
    """``local`` (the platform runs the server) or ``external`` (the deployment does); bad values fail here."""
    mode = (os.environ.get(DOCS_MODE_ENV) or "local").strip().lower()
    if mode not in MODES:
        raise DocsServerError(f"{DOCS_MODE_ENV}={mode!r} is not a docs mode: use one of {', '.join(MODES)}")
    if mode == "external" and not os.environ.get(DOCS_URL_ENV):
        raise DocsServerError(f"{DOCS_MODE_ENV}=external needs {DOCS_URL_ENV}: the URL the deployment's docs service "
                              "answers at, which the asset links")
    return mode


def docs_dir() -> Path:
    """The local server's records (state file, log); the site itself may live elsewhere (``site_dir``)."""
    return state_dir() / "dbt_docs"


def site_dir() -> Path:
    configured = os.environ.get(DOCS_DIR_ENV)
    return Path(configured).resolve() if configured else docs_dir() / "site"


def state_file() -> Path:
    return docs_dir() / "state.json"


def read_state() -> dict:
    try:
        return json.loads(state_file().read_text())
    except (OSError, ValueError):
        return {}


def publish(static_site: Path) -> Path:
    """Copy a ``dbt docs generate --static`` page in as the served ``index.html``."""
    site = site_dir()
    site.mkdir(parents=True, exist_ok=True)
    partial = site / ".index.html.partial"
    shutil.copyfile(static_site, partial)
    os.replace(partial, site / "index.html")
    return site / "index.html"


def serve() -> str:
    """The URL the docs are served at. ``local``: reuse the recorded server when it is ours, on this URL
    and healthy, else start one; ``external``: the deployment's service serves the folder, start nothing."""
    if docs_mode() == "external":
        return docs_url()
    url = docs_url()
    marker = str(site_dir())  # on the server's command line: guards against a recycled pid
    state = read_state()
    pid = state.get("pid")
    if state.get("url") == url and processes.runs(pid, marker) and processes.wait_http(f"{url}/", 2, pid):
        return url
    stop_recorded()
    if processes.wait_http(f"{url}/", 0.5):
        raise DocsServerError(f"something else already answers at {url}: set {DOCS_URL_ENV} to a free address")
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        raise DocsServerError(f"{DOCS_URL_ENV}={url!r} must look like http://127.0.0.1:8580")
    log_file = docs_dir() / "server.log"
    command = [sys.executable, "-m", "http.server", str(parts.port), "--bind", parts.hostname, "--directory", marker]
    pid = processes.start(command, log_file, dict(os.environ))
    state_file().write_text(json.dumps({"pid": pid, "url": url, "log": str(log_file)}))
    if not processes.wait_http(f"{url}/", START_TIMEOUT, pid):
        why = "exited" if not processes.alive(pid) else f"did not answer within {START_TIMEOUT:g}s"
        stop_recorded()
        raise DocsServerError(f"dbt docs server at {url} {why}:\n{processes.log_tail(log_file)}")
    return url


def resume() -> str | None:
    """Serve the site a previous build published (``make dev`` after ``make stop``); None if there is none."""
    return serve() if (site_dir() / "index.html").exists() else None


def stop_recorded() -> bool:
    """Stop the recorded server (if it is still ours) and forget it; True if one was recorded."""
    state = read_state()
    processes.stop(state.get("pid"), marker=str(site_dir()))
    state_file().unlink(missing_ok=True)
    return bool(state)
