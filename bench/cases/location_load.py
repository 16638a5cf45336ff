"""location-load: loading the code location over gRPC, demo dbt project vs a 1,000-model one.

This is what ``dagster dev`` (and every code-server restart) does: start ``dagster api grpc`` with
``DAGSTER_IS_DEV_CLI`` set, then fetch the repository snapshot (``bench/code_server.py``). One
measurement is spawn to snapshot received. Any ``dbt`` child of the server during a load (a
``dbt parse``), or a manifest whose mtime moved, fails the case whatever the ratio.
"""

from __future__ import annotations

from bench import code_server, dbt_tree
from bench.harness import compare, result

NAME = "location-load"


def run(ctx) -> list[dict]:
    models = ctx.args.location_models
    demo = dbt_tree.build(ctx.tmp / "location_demo", 0)
    big = dbt_tree.build(ctx.tmp / "location_big", models - dbt_tree.demo_model_count())
    dbt_tree.parse(demo / "dbt_project", big / "dbt_project")  # prepared ahead, as `make manifest` does
    manifests = [t / "dbt_project" / "target" / "manifest.json" for t in (demo, big)]
    before = [m.stat().st_mtime_ns for m in manifests]
    dbt_seen: set = set()
    assets: dict = {}

    def load(name, tree):
        return lambda: assets.__setitem__(name, code_server.load(tree, dbt_seen))

    repeats = 1 if ctx.smoke else ctx.repeats
    base, plat = compare(load("demo", demo), load("big", big), repeats)
    touched = [str(m) for m, b in zip(manifests, before) if m.stat().st_mtime_ns != b]
    sizes = {"models": models, "demo_models": dbt_tree.demo_model_count(),
             "assets": f"{assets.get('demo')} vs {assets.get('big')}"}
    row = result(NAME, f"gRPC load, demo dbt project vs {models} models", base, plat, "<=", 1.5, sizes=sizes,
                 dbt_subprocesses=sorted(dbt_seen), manifests_rewritten=touched)
    row["target"] = "<= 1.5, no dbt subprocess at load"
    row["met"] = row["met"] and not dbt_seen and not touched
    return [row]
