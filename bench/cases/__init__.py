"""Case registry: one small module per case, run in the issue's priority order.

Each module exposes ``NAME`` and ``run(ctx) -> list[dict]`` (rows built by ``harness.result``); a
case may return several rows (csv-upsert: empty and full table). Order matters: when time runs out
on a slow machine, ``--cases`` can pick the ones that matter most first.
"""

from __future__ import annotations

import importlib

MODULES = ["csv_load", "csv_upsert", "vs_pandas", "sensor_tick", "api_load", "memory", "graph_overhead", "dashboard",
           "dbt_overhead", "location_load", "incremental", "db_copy", "db_copy_mysql", "db_increment", "db_memory"]


def registry() -> dict:
    cases = {}
    for module in MODULES:
        mod = importlib.import_module(f"bench.cases.{module}")
        cases[mod.NAME] = mod
    return cases
