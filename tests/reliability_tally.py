"""The reliability table: every fault-injection test reports what it tried and what it lost.

Issue 8 asks for figures, not just green tests, so each fault test calls ``fault_tally.record``
(before asserting, so a failing run still shows its numbers). Workers write one JSON file per
record into this session's folder; the controller merges them at the end of the session into
``tests/reliability/results/latest.{json,md}`` and rewrites the README section between the
``reliability:start``/``reliability:end`` markers. Rows are keyed by fault; a module that reports
replaces all of its earlier rows (renamed labels vanish) and other modules' rows stay (each row
carries its own date).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "tests" / "reliability" / "results"
PARTS = RESULTS / ".parts"
README = ROOT / "README.md"
RUN_ENV = "PP_RELIABILITY_RUN"
START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"


class FaultTally:
    """Handed to a test as ``fault_tally``; ``record`` may be called several times per test."""

    def __init__(self, nodeid: str):
        self.nodeid = nodeid

    def record(self, fault: str, *, tries: int = 1, lost: int = 0, duplicated: int = 0,
               leaked: int = 0, partial: int = 0, detail: str = "") -> None:
        """``fault``: the row label, e.g. "Postgres killed mid-COPY (middle)". Counts are totals over
        ``tries``: rows lost, rows duplicated, secret hits found, partial loads left behind."""
        parts = PARTS / os.environ.get(RUN_ENV, "solo")
        parts.mkdir(parents=True, exist_ok=True)
        row = {"fault": fault, "tries": tries, "lost": lost, "duplicated": duplicated, "leaked": leaked,
               "partial": partial, "detail": detail, "test": self.nodeid.split("::")[0],
               "date": datetime.now(timezone.utc).strftime("%Y-%m-%d")}
        (parts / f"{uuid.uuid4().hex}.json").write_text(json.dumps(row))


@pytest.fixture
def fault_tally(request) -> FaultTally:
    return FaultTally(request.node.nodeid)


def _merge(run: Path) -> dict | None:
    parts = sorted(run.glob("*.json")) if run.exists() else []
    if not parts:
        return None
    latest = RESULTS / "latest.json"
    rows = {r["fault"]: r for r in json.loads(latest.read_text())["rows"]} if latest.exists() else {}
    fresh: dict[str, dict] = {}
    for part in parts:
        row = json.loads(part.read_text())
        have = fresh.get(row["fault"])
        if have:  # the same fault recorded by several tests/params: add the counts up
            for key in ("tries", "lost", "duplicated", "leaked", "partial"):
                have[key] += row[key]
        else:
            fresh[row["fault"]] = row
        part.unlink()
    run.rmdir()
    ran = {row["test"] for row in fresh.values()}  # a module that reported replaces all its old rows
    rows = {fault: row for fault, row in rows.items() if row["test"] not in ran and (ROOT / row["test"]).exists()}
    rows.update(fresh)
    doc = {"updated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "rows": list(rows.values())}
    latest.write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(doc))
    return doc


def markdown(doc: dict) -> str:
    lines = [f"Fault-injection results, updated {doc['updated']} by `make test` (`tests/reliability/`).", "",
             "| fault | tries | rows lost | rows duplicated | partial loads | secrets leaked | test |",
             "|---|---|---|---|---|---|---|"]
    for r in sorted(doc["rows"], key=lambda r: (r["test"], r["fault"])):
        lines.append(f"| {r['fault']} | {r['tries']} | {r['lost']} | {r['duplicated']} | {r['partial']} | "
                     f"{r['leaked']} | `{r['test']}` |")
    total = sum(r["tries"] for r in doc["rows"])
    bad = sum(r["lost"] + r["duplicated"] + r["partial"] + r["leaked"] for r in doc["rows"])
    lines += ["", f"{len(doc['rows'])} faults, {total} injections, {bad} rows lost, duplicated, partial or leaked."]
    return "\n".join(lines) + "\n"


def _update_readme(doc: dict) -> None:
    text = README.read_text()
    if START not in text or END not in text:
        return
    block = f"{START}\n{markdown(doc)}{END}"
    README.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))


def pytest_configure(config):
    """The controller names this session's parts folder; xdist workers inherit the variable, so
    two pytest sessions at once (a developer's and an editor's) never merge each other's parts."""
    if not hasattr(config, "workerinput"):
        os.environ[RUN_ENV] = uuid.uuid4().hex


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    doc = _merge(PARTS / os.environ.get(RUN_ENV, "solo"))
    if doc:
        _update_readme(doc)
