"""The dbt docs site over HTTP, served by a detached process the platform manages like the dashboard.

Browsers refuse a ``file://`` link on an ``http://`` page, so the ``dbt_docs`` asset's link only works
when the site is served. After each docs build the asset publishes the one-file site into the state
folder (an atomic replace: a reader never sees half a page) and makes sure a plain static file server
(Python's ``http.server``, bound to the host of ``PIPELINE_DBT_DOCS_URL``, 127.0.0.1 by default) serves
that folder; it outlives the run, is reused by the next build and is found again by ``make stop``
through ``<state>/dbt_docs/state.json`` (``pid``, ``url``). ``make dev`` serves a site built before.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pipeline_platform import processes
from pipeline_platform.resources.warehouse import state_dir

DOCS_URL_ENV = "PIPELINE_DBT_DOCS_URL"
DEFAULT_DOCS_URL = "http://127.0.0.1:8580"
START_TIMEOUT = 30.0


class DocsServerError(RuntimeError):
    pass


def docs_url() -> str:
    return (os.environ.get(DOCS_URL_ENV) or DEFAULT_DOCS_URL).rstrip("/")


def docs_dir() -> Path:
    return state_dir() / "dbt_docs"


def site_dir() -> Path:
    return docs_dir() / "site"


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
    """Reuse the recorded server when it is ours, on this URL and healthy; else start one. Returns the URL."""
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
