"""``make manifest``: run ``dbt parse`` once, ahead of time, so loading the code location never does.

Packaging (``make package``) uses ``dagster-dbt project prepare-and-package`` instead, which also
copies the project into the wheel.
"""

import os
import sys
from pathlib import Path

from pipeline_platform.dbt.project import dbt_project


def main() -> None:
    # dagster-dbt finds `dbt` on PATH; the one beside this interpreter is the one we installed.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    dbt_project.preparer.prepare(dbt_project)
    print(f"dbt manifest ready: {dbt_project.manifest_path}")


if __name__ == "__main__":
    main()
