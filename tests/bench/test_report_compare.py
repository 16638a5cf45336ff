"""``bench/report.py --compare``: two runs side by side, and "met with 15% margin" only when both runs are.

The README shows two consecutive full runs this way, so the margin rule is checked on made-up result
files (no benchmark runs here): a median must sit at least 15% inside its bound in both runs, for
"<=" and ">=" targets alike, and an error or a case missing from one run is never met.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "bench" / "report.py"


def row(case, median, target, met=True, **extra):
    return {"case": case, "compared": "x vs y", "ratio": "platform/baseline", "median": median, "min": median,
            "max": median, "target": target, "met": met, "sizes": {}, "load_1min": {"before": 1.5, "after": 2.0,
                                                                                      "samples": [["baseline", 1.7]]},
            **extra}


def doc(date, rows):
    return {"date": date, "machine": {"nproc": 2, "cpu": "test cpu", "ram_gb": 4.0}, "argv": "", "repeats": 3,
            "seconds": 600, "cases": [r["case"].split(" (")[0] for r in rows], "results": rows}


def test_compare_renders_both_runs_and_the_margin(tmp_path):
    first = doc("2026-12-03 14:00 UTC", [
        row("graph-overhead", 1.2, "<= 1.5"),              # 1.2 <= 1.275 in both: met with margin
        row("location-load", 1.3, "<= 1.5, no dbt subprocess at load"),  # inside the target, not the margin
        row("vs-pandas (default)", 12.0, ">= 10"),          # >= 11.5 in both
        row("sensor-tick", 10.0, "<= 20", met=False),       # not met at all (e.g. a dbt child seen)
        {"case": "api-load", "error": "RuntimeError: boom", "met": False},
    ])
    second = doc("2026-12-03 14:20 UTC", [
        row("graph-overhead", 1.25, "<= 1.5"), row("location-load", 1.1, "<= 1.5, no dbt subprocess at load"),
        row("vs-pandas (default)", 11.6, ">= 10"), row("sensor-tick", 10.0, "<= 20"), row("api-load", 1.0, "<= 1.5"),
        row("dbt-overhead", 1.0, "<= 1.3"),
    ])
    paths = []
    for name, d in (("a.json", first), ("b.json", second)):
        (tmp_path / name).write_text(json.dumps(d))
        paths.append(str(tmp_path / name))
    out = tmp_path / "compare.md"
    proc = subprocess.run([sys.executable, str(REPORT), "--compare", *paths, "--out", str(out)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    lines = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert lines["graph-overhead"].endswith("| yes |") and "1.2 (1.2–1.2), load 1.5 → 2.0" in lines["graph-overhead"]
    assert lines["vs-pandas (default)"].endswith("| yes |")
    for case in ("location-load", "sensor-tick", "api-load", "dbt-overhead"):
        assert lines[case].endswith("| no |"), case
    assert "| error |" in lines["api-load"] and "not run" in lines["dbt-overhead"]
    assert "2026-12-03 14:00 UTC" in text and "2026-12-03 14:20 UTC" in text and "10 min 0 s" in text
    assert "2 of 6 rows met with a 15% margin in both runs." in text
