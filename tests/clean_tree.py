"""A test run leaves ``git status`` as it found it: results go to ignored folders, never tracked files.

A suite that rewrites tracked files (a README table, a results file) mixes test output into
commits and makes two checkouts differ by who ran the tests last. The controller notes
``git status --porcelain`` when the session starts and compares at the end; anything new is named.
Under ``CI=true`` that fails the session; on a laptop it is a warning, since a developer may be
editing files while the suite runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BEFORE = pytest.StashKey[set]()


def porcelain() -> set[str] | None:
    """``git status --porcelain`` lines (ignored files excluded), or None outside a git checkout."""
    try:
        out = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return set(out.stdout.splitlines())


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        config.stash[BEFORE] = porcelain()


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput") or session.config.stash.get(BEFORE, None) is None:
        return
    changed = sorted((porcelain() or set()) - session.config.stash[BEFORE])
    if not changed:
        return
    message = "the test run changed the git working tree (write results under an ignored folder):\n  " + "\n  ".join(changed)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(("ERROR: " if os.environ.get("CI") == "true" else "WARNING: ") + message, red=True)
    if os.environ.get("CI") == "true":
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
