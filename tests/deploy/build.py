"""Build the code-location wheel with ``make package`` from a copy of the repo, then install it alone.

``make package`` writes ``pipeline_platform/dbt/dbt_project_packaged``, which would shadow
``dbt_project/`` for every test running concurrently, so it runs in a temp copy (tracked plus
untracked, non-ignored files) that borrows the test venv through a ``.venv`` symlink. The wheel then
goes into a fresh virtual environment with no path back to the source tree: the only honest proof
that a deployment needs the wheel and nothing else.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGED = Path("pipeline_platform/dbt/dbt_project_packaged")


def copy_repo(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = REPO / rel
        if src.is_file():  # tracked files deleted in the working tree are listed too
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def make_package(workdir: Path) -> Path:
    """Run the real ``make package`` in a copy; return the wheel, moved out of the copy."""
    src = copy_repo(workdir / "src")
    (src / ".venv").symlink_to(Path(sys.prefix))
    # -o: the test venv is already installed; never let make reinstall the copy into it.
    done = subprocess.run(["make", "-o", ".venv/.installed", "package"], cwd=src, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"make package failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert not (src / PACKAGED).exists(), "make package must remove the packaged dbt copy again"
    wheels = list((src / "dist").glob("pipeline_platform-*.whl"))
    assert len(wheels) == 1, wheels
    return Path(shutil.move(wheels[0], workdir / wheels[0].name))


def install_wheel(wheel: Path, venv: Path) -> Path:
    """A fresh venv with the wheel and its declared dependencies; returns the venv's python.

    The test venv's pip installs into it (``--python``), so the new venv needs no pip of its own;
    ``--no-compile`` halves the install time (only what the servers import gets byte-compiled).
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                           "--no-compile", "--disable-pip-version-check", str(wheel)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"pip install failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return python


def snapshot(root: Path) -> dict[str, float]:
    """Every file under ``root`` with its mtime: a dbt parse would add or touch files here."""
    return {str(p.relative_to(root)): p.stat().st_mtime for p in sorted(root.rglob("*")) if p.is_file()}
