"""``make manifest``: ``dbt deps`` and ``dbt parse`` once, ahead of time, so loading never does.

It prepares the configured project (``PIPELINE_DBT_PROJECT_DIR``): dagster-dbt's preparer installs
``packages.yml``/``dependencies.yml`` (local packages need no network) and writes the manifest.
``--package`` (``make package``) also copies the prepared project into the package, where a wheel
finds it.
"""

import argparse
import os
import sys
from pathlib import Path

from pipeline_platform.dbt.project import dbt_project


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline_platform.dbt.prepare")
    parser.add_argument("--package", action="store_true", help="also copy the prepared project into the package")
    args = parser.parse_args(argv)
    # dagster-dbt finds `dbt` on PATH; the one beside this interpreter is the one we installed.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    project = dbt_project()
    if args.package:
        from dagster_dbt.cli.app import prepare_and_package

        prepare_and_package(project)
    else:
        project.preparer.prepare(project)
    print(f"dbt manifest ready: {project.manifest_path}")


if __name__ == "__main__":
    main()
