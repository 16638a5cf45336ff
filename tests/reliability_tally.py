"""The reliability table: every fault-injection test reports what it tried and what it lost.

Issue 8 asks for figures, not just green tests, so each fault test calls ``fault_tally.record``
(before asserting, so a failing run still shows its numbers). Workers write one JSON file per
record into this session's folder; the controller merges them at the end of the session into
``test-artifacts/reliability/latest.{json,md}`` (ignored by git: a test run never edits a tracked
file) with the commit the session ran on. Only ``make report`` puts a table into the README, from
the rows of its own run, never mixed with an earlier one (``python -m tests.reliability_tally``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "test-artifacts" / "reliability"
PARTS = RESULTS / ".parts"
README = ROOT / "README.md"
RUN_ENV = "PP_RELIABILITY_RUN"
START, END = "<!-- reliability:start -->", "<!-- reliability:end -->"
CODE = pytest.StashKey[dict]()  # the controller's revision() at session start


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def revision() -> dict:
    """The commit the working tree is at, and whether it has changes the commit does not."""
    return {"commit": _git("rev-parse", "--short=12", "HEAD") or "unknown",
            "local_changes": bool(_git("status", "--porcelain", "--untracked-files=no"))}


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


def _merge(run: Path, code: dict) -> dict | None:
    """This session's rows only (the same fault from several tests adds up), written as latest."""
    parts = sorted(run.glob("*.json")) if run.exists() else []
    if not parts:
        return None
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
    doc = {"updated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **code, "rows": list(fresh.values())}
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(doc))
    return doc


def markdown(doc: dict) -> str:
    at = f"commit `{doc['commit']}`" + (" with local changes" if doc["local_changes"] else "")
    lines = [f"Fault-injection results of one run at {at}, {doc['updated']} (`make report`).", "",
             "| fault | tries | rows lost | rows duplicated | partial loads | secrets leaked | test |",
             "|---|---|---|---|---|---|---|"]
    for r in sorted(doc["rows"], key=lambda r: (r["test"], r["fault"])):
        lines.append(f"| {r['fault']} | {r['tries']} | {r['lost']} | {r['duplicated']} | {r['partial']} | "
                     f"{r['leaked']} | `{r['test']}` |")
    total = sum(r["tries"] for r in doc["rows"])
    bad = sum(r["lost"] + r["duplicated"] + r["partial"] + r["leaked"] for r in doc["rows"])
    lines += ["", f"{len(doc['rows'])} faults, {total} injections, {bad} rows lost, duplicated, partial or leaked."]
    return "\n".join(lines) + "\n"


def update_readme(doc: dict) -> None:
    text = README.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{README}: no {START} ... {END} section to write the table into")
    block = f"{START}\n{markdown(doc)}{END}"
    README.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S))


def pytest_configure(config):
    """The controller names this session's parts folder; xdist workers inherit the variable, so
    two pytest sessions at once (a developer's and an editor's) never merge each other's parts."""
    if not hasattr(config, "workerinput"):
        os.environ[RUN_ENV] = uuid.uuid4().hex
        config.stash[CODE] = revision()  # at the start: the code the tests ran, not edits made meanwhile


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    _merge(PARTS / os.environ.get(RUN_ENV, "solo"), session.config.stash[CODE])


def main() -> None:
    """``make report``: the README table from the run that just finished, if it ran this commit."""
    latest = RESULTS / "latest.json"
    if not latest.exists():
        raise SystemExit(f"{latest} is missing: run the fault tests first (make report does)")
    doc = json.loads(latest.read_text())
    if doc["commit"] != revision()["commit"]:
        raise SystemExit(f"{latest} is from commit {doc['commit']}, the tree is at {revision()['commit']}: "
                         "rerun make report")
    update_readme(doc)
    sys.stdout.write(markdown(doc))


if __name__ == "__main__":
    main()
