"""The deploy's proof over HTTP: the running app serves the data version the warehouse holds now.

A healthy ``/_stcore/health`` only says Streamlit runs; it says nothing about which entry point,
which warehouse or which build it serves. So the deploy reads ``marts.mart_build_info`` itself and
polls ``GET /_pp/data_version`` until both agree (a build finishing in between just means one more
poll). An HTML answer means the server runs ``app.py`` instead of ``serve.py``: that fails at once.
"""

import time

import psycopg
import requests

DATA_VERSION_PATH = "/_pp/data_version"
_BUILD_INFO = "SELECT data_version FROM marts.mart_build_info ORDER BY built_at DESC NULLS LAST LIMIT 1"


class DeployCheckError(RuntimeError):
    """The app answered, but not with what the deploy needs."""


def warehouse_data_version(url: str) -> str:
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            row = conn.execute(_BUILD_INFO).fetchone()
    except psycopg.Error as exc:
        raise DeployCheckError(f"cannot read marts.mart_build_info: {type(exc).__name__}: {exc}") from exc
    if row is None or row[0] is None:
        raise DeployCheckError("marts.mart_build_info holds no data_version: build the marts first")
    return str(row[0])


def served_data_version(url: str) -> tuple[str | None, str]:
    """The app's ``data_version`` and a note on the answer; raises on a non-JSON answer.

    A 503 (the app cannot read the warehouse yet) or a connection error gives ``(None, note)``: retry.
    """
    try:
        response = requests.get(f"{url}{DATA_VERSION_PATH}", timeout=5)
    except requests.RequestException as exc:
        return None, f"no answer ({type(exc).__name__})"
    kind = response.headers.get("content-type", "")
    if "json" not in kind:
        raise DeployCheckError(
            f"{url}{DATA_VERSION_PATH} answered {response.status_code} {kind or 'without content-type'}, not JSON: "
            "the server runs the wrong entry point (start dashboards/serve.py, not app.py)"
            f"; body starts {response.text[:120]!r}"
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise DeployCheckError(f"{url}{DATA_VERSION_PATH} sent invalid JSON: {response.text[:120]!r}") from exc
    note = f"{response.status_code} {body}"
    return (body.get("data_version") if response.status_code == 200 else None), note


def wait_for_data_version(app_url: str, database_url: str, timeout: float) -> str:
    """Poll until the app serves the warehouse's current data version; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        expected = warehouse_data_version(database_url)
        served, note = served_data_version(app_url)
        if served == expected:
            return expected
        if time.monotonic() >= deadline:
            raise DeployCheckError(
                f"{app_url}{DATA_VERSION_PATH} serves data_version {served!r}, the warehouse holds {expected!r}"
                f" (after {timeout:g}s; last answer: {note}): the app reads another warehouse or cannot read it"
            )
        time.sleep(0.5)
