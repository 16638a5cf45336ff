"""``make bench-smoke`` keeps working: every case yields a numeric median/min/max ratio and a target.

The harness is only exercised when someone runs the full benchmark, which is rare and slow, so a
broken case would otherwise go unnoticed until then. Tiny sizes, a subprocess (as ``make`` runs it)
and no timing assertions: on a shared machine any timing threshold would be a flaky test.
"""

from __future__ import annotations

import json
import numbers
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"
# Whole-graph cases cost minutes even at tiny sizes (a `make run`, dbt parses and builds, code-server
# starts); `make bench-smoke` runs them, this test keeps to the cases that fit the suite's budget.
HEAVY = {"graph-overhead", "dbt-overhead", "incremental", "location-load"}


def test_smoke_run_reports_a_ratio_and_target_per_case(tmp_path):
    names = subprocess.run([sys.executable, "-c", "from bench.cases import registry; print(*registry())"],
                           cwd=RUN.parents[1], capture_output=True, text=True, check=True).stdout.split()
    out, light = tmp_path / "results", [name for name in names if name not in HEAVY]
    assert HEAVY <= set(names) and light
    proc = subprocess.run([sys.executable, str(RUN), "--smoke", "--cases", ",".join(light), "--out", str(out)],
                          capture_output=True, text=True, timeout=480)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads((out / "latest.json").read_text())
    assert doc["machine"]["nproc"] and doc["date"]
    by_case = {}
    for row in doc["results"]:
        assert "error" not in row, row
        for field in ("median", "min", "max"):
            assert isinstance(row[field], numbers.Real), (row["case"], field)
        assert row["min"] <= row["median"] <= row["max"]
        assert row["target"] and isinstance(row["met"], bool)
        load = row["load_1min"]  # the machine's load around the case, and after each sample
        assert load["before"] >= 0 and load["after"] >= 0 and load["samples"], row["case"]
        assert row["case_seconds"] > 0
        by_case.setdefault(row["case"].split(" (")[0], []).append(row)
    assert doc["cases"] and set(by_case) == set(doc["cases"])  # every registered case ran and reported
    assert "| case |" in (out / "latest.md").read_text() and "load 1m" in (out / "latest.md").read_text()
    assert doc["seconds"] >= 0
