"""JSON and markdown output: ratios only in the table, raw seconds kept in the JSON for diagnosis.

The markdown is what the README includes, so it carries the date, the machine (cores, CPU, RAM), the
sizes used and the machine's 1-minute load average around each case: a ratio means little without
knowing what was compared on what, and on a shared machine how busy it was. A target counts as met
only with room to spare in two consecutive runs, so ``--compare A.json B.json`` renders two runs side
by side with a "met with 15% margin" column (every median at least 15% inside its target, in both).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

MARGIN = 0.15


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        ram = None
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": ram, "python": platform.python_version()}


def load_cell(row: dict) -> str:
    load = row.get("load_1min")
    return f"{load['before']} → {load['after']}" if load else ""


def header(doc: dict) -> str:
    m = doc["machine"]
    flags = f"`{doc['argv']}`" if doc["argv"] else "defaults"
    took = f" The run took {doc['seconds'] // 60} min {doc['seconds'] % 60} s." if doc.get("seconds") is not None else ""
    return (f"Benchmark run {doc['date']} on {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM; "
            f"{doc['repeats']} alternating repeats per case; flags: {flags}.{took}")


def markdown(doc: dict) -> str:
    lines = [
        header(doc),
        "",
        "| case | compared | ratio | median | min | max | target | met | load 1m (before → after) | sizes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["results"]:
        if "error" in r:
            lines.append(f"| {r['case']} | error: {r['error'][:80]} | | | | | | no | {load_cell(r)} | |")
            continue
        sizes = ", ".join(f"{k}={v}" for k, v in r["sizes"].items())
        lines.append(f"| {r['case']} | {r['compared']} | {r['ratio']} | {r['median']} | {r['min']} | "
                     f"{r['max']} | {r['target']} | {'yes' if r['met'] else 'no'} | {load_cell(r)} | {sizes} |")
    return "\n".join(lines) + "\n"


def with_margin(row: dict | None) -> bool:
    """Met, and the median at least ``MARGIN`` inside the target's bound (``<= t``: at most
    ``t * 0.85``; ``>= t``: at least ``t * 1.15``). Extra conditions of a target stay in ``met``."""
    if not row or "error" in row or not row.get("met"):
        return False
    op, bound = re.match(r"\s*(<=|>=)\s*([0-9.]+)", row["target"]).groups()
    bound = float(bound)
    return row["median"] <= bound * (1 - MARGIN) if op == "<=" else row["median"] >= bound * (1 + MARGIN)


def compare(first: dict, second: dict) -> str:
    """Two runs side by side, one line per case of either run, in the first run's order."""
    rows = [{r["case"]: r for r in doc["results"]} for doc in (first, second)]
    cases = list(rows[0]) + [c for c in rows[1] if c not in rows[0]]

    def cell(row):
        if row is None:
            return "not run"
        if "error" in row:
            return "error"
        load = f", load {load_cell(row)}" if row.get("load_1min") else ""
        return f"{row['median']} ({row['min']}–{row['max']}){load}"

    lines = [f"Run 1: {header(first)}", "", f"Run 2: {header(second)}", "",
             "| case | target | run 1 median (min–max), load 1m | run 2 median (min–max), load 1m | "
             f"met with {MARGIN:.0%} margin |",
             "|---|---|---|---|---|"]
    for case in cases:
        a, b = rows[0].get(case), rows[1].get(case)
        target = (a or b).get("target", "")
        both = with_margin(a) and with_margin(b)
        lines.append(f"| {case} | {target} | {cell(a)} | {cell(b)} | {'yes' if both else 'no'} |")
    met = sum(with_margin(rows[0].get(c)) and with_margin(rows[1].get(c)) for c in cases)
    lines += ["", f"{met} of {len(cases)} rows met with a {MARGIN:.0%} margin in both runs."]
    return "\n".join(lines) + "\n"


def write(out: Path, cases: list[str], results: list[dict], argv: str, repeats: int, seconds: int | None = None) -> dict:
    doc = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
           "argv": argv, "repeats": repeats, "seconds": seconds,
           "cases": cases, "results": results}
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out / "latest.md").write_text(markdown(doc))
    return doc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/report.py", description="markdown from bench result JSON files")
    p.add_argument("--compare", nargs=2, metavar=("FIRST.json", "SECOND.json"), required=True,
                   help="two consecutive runs side by side, with a met-with-margin column")
    p.add_argument("--out", help="write the markdown here (default: stdout)")
    args = p.parse_args(argv)
    first, second = (json.loads(Path(path).read_text()) for path in args.compare)
    text = compare(first, second)
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
