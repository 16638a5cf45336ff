"""Issue 20: the Python versions the project claims are the ones it is tested on.

``pyproject.toml`` allows 3.11 and newer, the README says so and names 3.11 as the tested version,
and the suite runs on a 3.11+ interpreter: a claim of 3.10 support crept in once while the code
already needed 3.11 (``hashlib.file_digest``).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_requires_python_readme_and_interpreter_agree():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11 or newer" in readme and "3.10–3.13" not in readme
    assert sys.version_info >= (3, 11)
    assert "python:3.11" in (ROOT / "Dockerfile").read_text()
