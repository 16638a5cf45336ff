"""Two exposures, two apps: a team's own app next to the demo's, each deployed by its own asset.

The team's app is a plain Streamlit script with no platform code in it (it even has a module called
``settings``, like one of the platform's): it answers ``/_pp/data_version`` with the platform's data
version of its own exposure's relations, on its own port (``meta.port``), while the demo's runs on
the base port. An in-place write to a source it depends on changes its version (not the demo's), a
rebuild changes both, and both stay the same processes throughout.
"""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from pipeline_platform.dashboard.deploy import build_deploy_asset
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.dashboard.verify import warehouse_data_version
from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.resources.warehouse import WarehouseResource
from tests.browser import chromium_page, require_chromium
from tests.dashboard_deploy.exposures import exposure, write_manifest
from tests.dashboard_deploy.support import facts, served
from tests.helpers import free_port

TEAM_APP = '''import settings
import streamlit as st

st.title(settings.TITLE)
st.write("A team's report, with nothing of the platform in it.")
'''


def team_app(root) -> None:
    team = root / "apps" / "team"
    team.mkdir(parents=True)
    (team / "app.py").write_text(TEAM_APP)
    (team / "settings.py").write_text('TITLE = "Team report"\n')


def deploy_all(exposures, root, port, database_url) -> dict[str, dict]:
    resources = {"dashboard": DashboardSettings(app_dir=str(root), port=port, timeout_seconds=45),
                 "warehouse": WarehouseResource(database_url=database_url)}
    result = dg.materialize([build_deploy_asset(e) for e in exposures], resources=resources, raise_on_error=False)
    assert result.success
    return {
        event.asset_key.to_user_string(): {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }


def test_a_team_app_and_the_demo_app_each_serve_their_own_platform_data_version(
    built_warehouse, app_dir, port, tmp_path
):
    team_app(tmp_path)
    team_port = free_port()
    manifest = write_manifest(
        tmp_path / "manifest",
        exposure("dashboard", [f"model.pipeline_platform.{n}" for n in
                               ("mart_daily_revenue", "mart_nps_daily", "customer_lifetime_value", "mart_build_info")],
                 {"streamlit": "dashboards/app.py"}),
        exposure("team_report", ["model.pipeline_platform.customer_lifetime_value", "source.pipeline_platform.raw.orders"],
                 {"streamlit": "apps/team/app.py", "port": team_port}),
    )
    exposures = {e.name: e for e in streamlit_exposures(manifest)}
    team_exposure = exposures["team_report"]

    def team_version() -> str:
        return warehouse_data_version(built_warehouse.url, team_exposure.relations, team_exposure.in_place)

    first = deploy_all(exposures.values(), app_dir.parent, port, built_warehouse.url)
    demo, team_facts = first["deploy_dashboard"], first["deploy_team_report"]
    assert demo["dagster/uri"] == f"http://127.0.0.1:{port}" and team_facts["dagster/uri"] == f"http://127.0.0.1:{team_port}"
    assert demo["pid"] != team_facts["pid"]
    assert team_facts["data_version"] == team_version() == served(team_facts["dagster/uri"]).json()["data_version"]
    assert demo["data_version"] == built_warehouse.version == served(demo["dagster/uri"]).json()["data_version"]

    # a load rewrites rows of the team's source in place: its version moves, live; the demo's does not
    with psycopg.connect(built_warehouse.url) as conn:
        conn.execute("UPDATE raw.orders SET amount = amount WHERE order_id = (SELECT min(order_id) FROM raw.orders)")
    loaded = team_version()
    assert loaded != team_facts["data_version"]
    assert served(team_facts["dagster/uri"]).json()["data_version"] == loaded
    assert served(demo["dagster/uri"]).json()["data_version"] == demo["data_version"]

    rebuilt = built_warehouse.rebuild()  # a dbt rebuild: both move
    assert rebuilt != demo["data_version"] and team_version() not in (loaded, team_facts["data_version"])
    again = deploy_all(exposures.values(), app_dir.parent, port, built_warehouse.url)
    assert again["deploy_team_report"]["pid"] == team_facts["pid"] and again["deploy_team_report"]["reused"] is True
    assert again["deploy_dashboard"]["pid"] == demo["pid"] and again["deploy_dashboard"]["data_version"] == rebuilt
    assert again["deploy_team_report"]["data_version"] == team_version()


@pytest.mark.browser
def test_the_team_app_renders_its_own_page_through_the_entry_wrapper(built_warehouse, port, tmp_path):
    require_chromium()
    team_app(tmp_path)
    manifest = write_manifest(tmp_path / "manifest", exposure(
        "team_report", ["model.pipeline_platform.customer_lifetime_value"], {"streamlit": "apps/team/app.py"}))
    deployed = deploy_all(streamlit_exposures(manifest), tmp_path, port, built_warehouse.url)["deploy_team_report"]
    with chromium_page() as page:
        page.goto(deployed["dagster/uri"], wait_until="domcontentloaded")
        # its own `settings` module, not the platform's: the app's folder comes first on sys.path
        page.get_by_role("heading", name="Team report").wait_for(timeout=30_000)
        page.get_by_text("nothing of the platform in it").wait_for(timeout=30_000)
