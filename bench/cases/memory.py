"""memory: peak RSS of a load process at a small vs a large size, for the CSV and the API path.

Streaming loaders should have flat memory: the large run may grow at most 1.2x over the small one
and stay under 250 MB. Each measurement is a fresh process (``bench/child.py``) whose ``ru_maxrss``
is the value (its ``VmHWM``); the "seconds" in the raw JSON are megabytes here. API sizes default smaller
(``--memory-api-rows``, same 5x step) because a 5M-record API run alone would take most of the budget.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.cases import api_load
from bench.data import COLUMNS
from bench.harness import compare, result

NAME = "memory"
LIMIT_MB = 250
CHILD = Path(__file__).resolve().parents[1] / "child.py"


def peak(ctx, name: str, entry: dict, landing=None):
    job = {"tmp": str(ctx.tmp), "name": name, "entry": entry, "url": ctx.w.url,
           "landing": str(landing) if landing else None}

    def go():
        ctx.w.psql(f"DROP TABLE IF EXISTS raw.{name}")
        out = subprocess.run([sys.executable, str(CHILD), json.dumps(job)], check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]
    return go


def row(label, sizes, base, plat, case: str | None = None) -> dict:
    """One flat-memory row, named ``memory (<label>)`` or ``case`` (db-memory)."""
    r = result(case or f"{NAME} ({label})", f"peak RSS at {sizes['large']} vs {sizes['small']} rows", base, plat, "<=", 1.2,
               sizes=sizes, unit="MB")
    r["peak_mb_large"] = round(max(plat), 1)
    r["target"] = f"<= 1.2 and <= {LIMIT_MB} MB at large"
    r["met"] = r["met"] and r["peak_mb_large"] <= LIMIT_MB
    return r


def run(ctx) -> list[dict]:
    repeats = ctx.args.memory_repeats or ctx.repeats
    small, large = (int(x) for x in ctx.args.memory_rows.split(","))
    entry = {"kind": "csv", "landing_glob": "customers/customers_*.csv", "load": "append", "partitioned": "none",
             "columns": COLUMNS}
    lo, hi = ctx.csv(small)[0], ctx.csv(large)[0]
    base, plat = compare(peak(ctx, "mem_csv", entry, lo), peak(ctx, "mem_csv", entry, hi), repeats,
                         measure=lambda fn: fn())
    out = [row("csv", {"small": small, "large": large}, base, plat)]
    api_small, api_large = (int(x) for x in ctx.args.memory_api_rows.split(","))
    servers = [api_load.Server(api_small), api_load.Server(api_large)]
    try:
        entries = [api_load.spec_entry(s.url) for s in servers]
        for s in servers:
            api_load.warm(s.url)  # the server's snapshot is built outside the measurement
        base, plat = compare(peak(ctx, "mem_api", entries[0]), peak(ctx, "mem_api", entries[1]), repeats,
                             measure=lambda fn: fn())
    finally:
        for s in servers:
            s.close()
    out.append(row("api", {"small": api_small, "large": api_large}, base, plat))
    return out
