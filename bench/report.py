"""JSON and markdown output: ratios only in the table, raw seconds kept in the JSON for diagnosis.

The markdown is what the README includes, so it carries the date, the machine (cores, CPU, RAM) and
the sizes used: a ratio means little without knowing what was compared on what.
"""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path


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


def markdown(doc: dict) -> str:
    m = doc["machine"]
    flags = f"`{doc['argv']}`" if doc["argv"] else "defaults"
    lines = [
        f"Benchmark run {doc['date']} on {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM; "
        f"{doc['repeats']} alternating repeats per case; flags: {flags}.",
        "",
        "| case | compared | ratio | median | min | max | target | met | sizes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["results"]:
        if "error" in r:
            lines.append(f"| {r['case']} | error: {r['error'][:80]} | | | | | | no | |")
            continue
        sizes = ", ".join(f"{k}={v}" for k, v in r["sizes"].items())
        lines.append(f"| {r['case']} | {r['compared']} | {r['ratio']} | {r['median']} | {r['min']} | "
                     f"{r['max']} | {r['target']} | {'yes' if r['met'] else 'no'} | {sizes} |")
    return "\n".join(lines) + "\n"


def write(out: Path, cases: list[str], results: list[dict], argv: str, repeats: int) -> dict:
    doc = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
           "argv": argv, "repeats": repeats,
           "cases": cases, "results": results}
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out / "latest.md").write_text(markdown(doc))
    return doc
