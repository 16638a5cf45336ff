"""The docs server's two modes, without containers: ``external`` publishes and starts nothing, ``local`` serves.

The compose deployment (``PIPELINE_DBT_DOCS_MODE=external``) serves the site from a service of its
own; here that service is the same plain ``http.server`` over the shared folder, started by the test
as compose would start it, so the check is real HTTP on loopback: the published page is what the
linked URL answers, a republish shows without a restart, and the platform neither starts nor stops
a process. A misconfigured mode fails the asset before its dbt invocation. ``local`` mode serves a
configured folder and ``make stop``'s call ends it. ``tests/deploy/stack_containers.py`` runs the real
compose service.
"""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import psutil
import pytest
import requests

from pipeline_platform import processes
from pipeline_platform.dbt import docs_server
from pipeline_platform.resources.embedded import STATE_DIR_ENV
from tests.helpers import free_port


def children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def page(tmp_path, text: str):
    static = tmp_path / f"static_index_{len(text)}.html"
    static.write_text(f"<html><body>{text}</body></html>")
    return static


@pytest.fixture
def docs_env(tmp_path, monkeypatch):
    """A state folder, a shared site folder and a docs URL of the test's own; external mode."""
    monkeypatch.setenv(STATE_DIR_ENV, str(tmp_path / "state"))
    monkeypatch.setenv(docs_server.DOCS_MODE_ENV, "external")
    monkeypatch.setenv(docs_server.DOCS_DIR_ENV, str(tmp_path / "docs-volume"))
    monkeypatch.setenv(docs_server.DOCS_URL_ENV, f"http://127.0.0.1:{free_port()}/")
    return tmp_path / "docs-volume"


@pytest.fixture
def docs_service(docs_env):
    """The deployment's docs service: the command of docker-compose.yaml's dbt-docs, on loopback."""
    docs_env.mkdir()
    url = docs_server.docs_url()
    port = url.rsplit(":", 1)[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", port, "--bind", "127.0.0.1", "--directory",
                             str(docs_env)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert processes.wait_http(f"{url}/", 30, proc.pid), "the stand-in docs service did not answer"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_external_mode_publishes_into_the_served_folder_and_links_the_url_without_a_process(docs_service, tmp_path):
    before = children()
    served = docs_server.publish(page(tmp_path, "first build model_one"))
    url = docs_server.serve()

    assert url == docs_service  # the configured URL, trailing slash dropped
    assert served == docs_server.site_dir() / "index.html" and served.parent == tmp_path / "docs-volume"
    assert children() == before and docs_server.read_state() == {}  # nothing started, nothing recorded
    assert not docs_server.docs_dir().exists()  # no state folder use at all
    first = requests.get(url, timeout=10)
    assert first.status_code == 200 and "first build model_one" in first.text

    docs_server.publish(page(tmp_path, "second build model_one model_two"))  # the next build
    assert "second build model_one model_two" in requests.get(url, timeout=10).text
    assert [p.name for p in served.parent.iterdir()] == ["index.html"]  # no partial file left behind

    assert docs_server.resume() == url  # `make dev` after a build: the link, no process
    assert docs_server.stop_recorded() is False and children() == before  # `make stop` leaves the service alone
    assert requests.get(url, timeout=10).status_code == 200


def test_external_mode_without_a_site_resumes_nothing(docs_env):
    assert docs_server.resume() is None


def test_external_mode_needs_the_service_url(docs_env, monkeypatch):
    monkeypatch.delenv(docs_server.DOCS_URL_ENV)
    with pytest.raises(docs_server.DocsServerError, match="PIPELINE_DBT_DOCS_MODE=external needs PIPELINE_DBT_DOCS_URL"):
        docs_server.serve()


def test_the_asset_fails_before_dbt_runs_when_the_docs_mode_is_misconfigured(docs_env, monkeypatch, tmp_path,
                                                                            database_url):
    from pipeline_platform.definitions import defs

    monkeypatch.delenv(docs_server.DOCS_URL_ENV)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt-targets"))  # where a dbt invocation would write
    (tmp_path / "dagster-home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster-home")) as instance:
        result = dg.materialize(list(defs.assets), selection=[dg.AssetKey("dbt_docs")], instance=instance,
                                resources=dict(defs.resources), raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "PIPELINE_DBT_DOCS_MODE=external needs PIPELINE_DBT_DOCS_URL" in str(failure.step_failure_data.error)
    assert not list((tmp_path / "dbt-targets").glob("dbt_docs-*"))  # dbt never ran
    assert not docs_server.site_dir().exists()  # nothing published


def test_an_unknown_mode_is_named_in_the_error(docs_env, monkeypatch):
    monkeypatch.setenv(docs_server.DOCS_MODE_ENV, "nginx")
    with pytest.raises(docs_server.DocsServerError, match="'nginx' is not a docs mode: use one of local, external"):
        docs_server.docs_mode()


def test_local_mode_serves_the_configured_folder_and_stop_ends_it(docs_env, monkeypatch, tmp_path):
    monkeypatch.delenv(docs_server.DOCS_MODE_ENV)  # the default: the platform runs the server
    docs_server.publish(page(tmp_path, "local build model_one"))
    try:
        url = docs_server.serve()
        pid = docs_server.read_state()["pid"]
        assert pid in children() and processes.runs(pid, str(tmp_path / "docs-volume"))
        assert "local build model_one" in requests.get(url, timeout=10).text
        assert docs_server.serve() == url and docs_server.read_state()["pid"] == pid  # reused, not restarted
    finally:
        assert docs_server.stop_recorded() is True
    assert not processes.alive(pid)
