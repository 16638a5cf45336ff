"""The code location loads hermetically: no environment, no database, no dbt subprocess.

These run the real module in a clean subprocess, because an import-time side effect (an env read, a
server start, ``dbt parse``) only shows when nothing is configured and nothing is cached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipeline_platform.definitions import defs

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json, subprocess, sys
calls = []
real_popen = subprocess.Popen.__init__
def spy(self, args, *a, **k):
    calls.append(args if isinstance(args, str) else " ".join(map(str, args)))
    return real_popen(self, args, *a, **k)
subprocess.Popen.__init__ = spy
from pipeline_platform.definitions import defs
graph = defs.resolve_asset_graph()
print(json.dumps({"calls": calls, "assets": len(list(graph.get_all_asset_keys()))}))
"""


def clean_env() -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    return {k: v for k, v in os.environ.items() if k in keep}


def test_loading_definitions_starts_no_subprocess_and_needs_no_env(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean_env(), cwd=tmp_path, capture_output=True, text=True, check=True
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    dbt_calls = [call for call in report["calls"] if "dbt" in call]
    assert dbt_calls == [], f"dbt subprocesses at load: {dbt_calls}"
    assert report["assets"] >= 10
    assert not (tmp_path / ".state" / "pgdata").exists(), "loading must not start the embedded server"


def test_dagster_definitions_validate_with_no_env(tmp_path):
    out = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-m", "pipeline_platform.definitions"],
        env=clean_env() | {"DAGSTER_HOME": str(tmp_path)}, cwd=REPO, capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Validation successful" in out.stdout + out.stderr


def test_lineage_runs_from_raw_through_staging_and_marts_to_the_dashboard():
    graph = defs.resolve_asset_graph()
    deploy = dg.AssetKey("deploy_dashboard")
    upstream = graph.get(deploy).parent_keys
    assert dg.AssetKey(["marts", "mart_daily_revenue"]) in upstream
    chain = [dg.AssetKey(["raw", "orders"]), dg.AssetKey(["staging", "stg_orders"]), dg.AssetKey(["marts", "fct_orders"]),
             dg.AssetKey(["marts", "mart_daily_revenue"]), deploy]
    for parent, child in zip(chain, chain[1:]):
        assert parent in graph.get(child).parent_keys, f"missing edge {parent.to_user_string()} -> {child.to_user_string()}"


def test_every_dbt_source_resolves_to_an_asset_in_the_same_definitions():
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    for key in keys:
        for parent in graph.get(key).parent_keys:
            assert parent in keys, f"{key.to_user_string()} depends on undefined {parent.to_user_string()}"
    raw_parents = {p for k in keys for p in graph.get(k).parent_keys if p.path[0] == "raw"}
    assert {dg.AssetKey(["raw", n]) for n in ("customers", "products", "orders", "payments", "nps_responses")} <= raw_parents
