"""Local mode: reuse while unchanged and healthy, new data without a restart, restart on an app change.

The pid in the asset's metadata is the observable contract: the same pid means the running server
was left alone; a new one means a restart, and then the old process must be gone. One server
serves the whole story (each Streamlit start costs seconds on a small machine).
"""

from __future__ import annotations

from pipeline_platform import processes
from pipeline_platform.dashboard import local, server
from tests.dashboard_deploy.support import DASHBOARDS, deploy, facts, served


def test_reused_while_unchanged_follows_new_data_and_restarts_on_an_app_change(built_warehouse, app_dir, port):
    settings = {"app_dir": str(app_dir), "port": port, "timeout_seconds": 45}
    url = f"http://127.0.0.1:{port}"
    first = facts(deploy(built_warehouse.url, **settings))
    assert first["dagster/uri"] == url and first["reused"] is False and first["mode"] == "local"
    assert first["data_version"] == built_warehouse.version == served(url).json()["data_version"]
    assert first["app_hash"] == server.app_hash(app_dir) == server.app_hash(DASHBOARDS)  # an exact copy
    assert local.read_state("dashboard")["pid"] == first["pid"]

    again = facts(deploy(built_warehouse.url, **settings))
    assert again["pid"] == first["pid"] and again["reused"] is True

    # new data: rebuilt marts are a new platform data version, served live by the same process
    new_version = built_warehouse.rebuild("mart_build_info")
    assert new_version != first["data_version"]
    assert served(url).json()["data_version"] == new_version
    fresh = facts(deploy(built_warehouse.url, **settings))
    assert fresh["pid"] == first["pid"] and fresh["reused"] is True and fresh["data_version"] == new_version

    with (app_dir / "app.py").open("a") as f:
        f.write("\n# a change to the app\n")
    changed = facts(deploy(built_warehouse.url, **settings))
    assert changed["pid"] != first["pid"] and changed["reused"] is False
    assert changed["app_hash"] != first["app_hash"]
    assert not processes.alive(first["pid"])
    assert server.wait_healthy(url, 5, changed["pid"])
    assert served(url).json()["data_version"] == new_version
    assert local.read_state("dashboard")["pid"] == changed["pid"]
