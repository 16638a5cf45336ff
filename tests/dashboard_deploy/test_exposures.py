"""Dashboards come from dbt exposures: one deploy asset per exposure naming a Streamlit app.

Each ``deploy_<exposure>`` sits downstream of exactly that exposure's ``depends_on`` (models and
sources, keyed as the dbt assets are); an exposure without ``meta.streamlit`` deploys nothing, and a
project with no such exposure has no deploy asset while the whole code location still loads.
"""

from __future__ import annotations

import dagster as dg
import pytest

from pipeline_platform import definitions
from pipeline_platform.dashboard import definitions as dashboard_definitions
from pipeline_platform.dbt.exposure import streamlit_exposures
from tests.dashboard_deploy.exposures import exposure, write_manifest

MODEL = "model.pipeline_platform."
REVENUE, NPS = dg.AssetKey(["marts", "mart_daily_revenue"]), dg.AssetKey(["marts", "mart_nps_daily"])
CLV, ORDERS = dg.AssetKey(["marts", "customer_lifetime_value"]), dg.AssetKey(["raw", "orders"])


def location(monkeypatch, manifest) -> dg.Definitions:
    """The whole code location, built as ``definitions.py`` builds it, over ``manifest``."""
    monkeypatch.setattr(dashboard_definitions, "manifest_path", lambda: manifest)
    defs = definitions.build_definitions()
    dg.Definitions.validate_loadable(defs)
    defs.resolve_job_def("deploy_dashboard_job")  # selects the dashboard group, empty or not
    return defs


def deploy_upstreams(defs: dg.Definitions) -> dict[str, set[dg.AssetKey]]:
    graph = defs.resolve_asset_graph()
    return {
        spec.key.to_user_string(): set(graph.get(spec.key).parent_keys)
        for spec in defs.resolve_all_asset_specs() if spec.group_name == "dashboard"
    }


def test_two_streamlit_exposures_make_two_deploy_assets_with_exactly_their_upstreams(tmp_path, monkeypatch):
    manifest = write_manifest(
        tmp_path,
        exposure("sales", [f"{MODEL}mart_daily_revenue", "source.pipeline_platform.raw.orders"],
                 {"streamlit": "apps/sales/app.py", "port": 9001}),
        exposure("service", [f"{MODEL}mart_nps_daily", f"{MODEL}customer_lifetime_value"],
                 {"streamlit": "apps/service/app.py"}),
        exposure("slides", [f"{MODEL}mart_daily_revenue"]),  # no meta.streamlit: documentation only
    )
    found = {e.name: e for e in streamlit_exposures(manifest)}
    assert set(found) == {"sales", "service"}
    assert found["sales"].relations == ('"marts"."mart_daily_revenue"', '"raw"."orders"')
    assert found["sales"].in_place == ('"marts"."mart_daily_revenue"', '"raw"."orders"')  # refreshed, loaded
    assert (found["sales"].port, found["service"].port) == (9001, None)
    assert (found["sales"].position, found["service"].position) == (0, 1)

    defs = location(monkeypatch, manifest)
    assert deploy_upstreams(defs) == {"deploy_sales": {REVENUE, ORDERS}, "deploy_service": {NPS, CLV}}


def test_no_streamlit_exposure_means_no_deploy_asset_and_the_location_loads(tmp_path, monkeypatch):
    manifest = write_manifest(tmp_path, exposure("slides", [f"{MODEL}mart_daily_revenue"]))
    assert streamlit_exposures(manifest) == []
    defs = location(monkeypatch, manifest)
    assert deploy_upstreams(defs) == {}
    assert dg.AssetKey(["marts", "mart_daily_revenue"]) in defs.resolve_asset_graph().get_all_asset_keys()


def test_the_demo_exposure_is_the_demo_dashboard():
    [demo] = streamlit_exposures(dashboard_definitions.manifest_path())
    assert (demo.name, demo.app, demo.port) == ("dashboard", "dashboards/app.py", None)
    assert demo.in_place == ('"marts"."customer_lifetime_value"', '"marts"."mart_daily_revenue"',
                             '"marts"."mart_nps_daily"')  # incremental: rewritten in place


@pytest.mark.parametrize(("meta", "error"), [
    ({"streamlit": ""}, "meta.streamlit must be the path of a Streamlit script"),
    ({"streamlit": "app.py", "port": "80"}, "meta.port must be a port number"),
])
def test_a_bad_exposure_fails_with_its_name_and_the_cause(tmp_path, meta, error):
    manifest = write_manifest(tmp_path, exposure("broken", [f"{MODEL}mart_daily_revenue"], meta))
    with pytest.raises(ValueError, match=error) as raised:
        streamlit_exposures(manifest)
    assert "exposure 'broken'" in str(raised.value)
