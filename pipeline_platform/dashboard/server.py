"""How a dashboard's Streamlit server is started and recognised: its command, code hash and health.

Every app runs through the platform's entry wrapper (``entry.py``), which serves the user's script
unchanged plus ``/_pp/data_version``; the process itself is started, tracked and stopped by
``pipeline_platform.processes`` so the dashboard outlives the run that deployed it.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from pipeline_platform import processes

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTRY = Path(__file__).resolve().with_name("entry.py")


def app_hash(app_dir: Path) -> str:
    """Hash of the app folder's source files (``*.py``, ``*.toml``): the deploy asset's code version."""
    digest = hashlib.sha256()
    files = [*app_dir.rglob("*.py"), *app_dir.rglob("*.toml")] if app_dir.is_dir() else []
    for path in sorted(files):
        digest.update(path.relative_to(app_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def streamlit_command(url: str, app: Path, relations: tuple[str, ...], in_place: tuple[str, ...] = ()) -> list[str]:
    """``streamlit run`` of the entry wrapper around ``app``, listening where ``url`` says."""
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return [
        sys.executable, "-m", "streamlit", "run", str(ENTRY),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--", *entry_args(app, relations, in_place),
    ]


def entry_args(app: Path | str | None, relations: tuple[str, ...], in_place: tuple[str, ...]) -> list[str]:
    """The entry wrapper's own arguments (after ``--``) for an app and its relations."""
    return [
        *(("--app", str(app)) if app else ()),
        *(arg for relation in relations for arg in ("--relation", relation)),
        *(arg for relation in in_place for arg in ("--in-place", relation)),
    ]


def wait_healthy(url: str, timeout: float, pid: int | None = None) -> bool:
    """Streamlit's own health route answers 200 (False when ``pid`` dies or time runs out)."""
    return processes.wait_http(f"{url}/_stcore/health", timeout, pid)
