"""The code location deploys as a wheel: served from a venv that holds it, without ``dbt parse``.

A production code server has no source checkout and must not shell out to dbt while loading (it
would be slow, and fails where the profile's target is unreachable), so this is checked on the real
``make package`` wheel, in a venv, cwd and environment with no path back to the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.deploy.build import PACKAGED, REPO
from tests.deploy.procs import hermetic_env

WHERE = "import pipeline_platform.dbt.project as p; print(p.__file__); print(p.dbt_project().manifest_path)"


@pytest.mark.slow
def test_pipeline_platform_resolves_into_the_wheel_install(wheel_venv, deploy_dir):
    env = hermetic_env(wheel_venv.root, deploy_dir / "home")
    (deploy_dir / "cwd").mkdir(exist_ok=True)  # the server fixtures make it too; this test may run first
    (deploy_dir / "home").mkdir(exist_ok=True)
    done = subprocess.run([str(wheel_venv.python), "-c", WHERE], cwd=deploy_dir / "cwd", env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    module, manifest = (Path(line) for line in done.stdout.split())
    assert module.is_relative_to(wheel_venv.site_packages), module
    assert manifest == wheel_venv.packaged / "target" / "manifest.json"
    assert manifest.is_file()
    # Only the manifests ship from target/: no dev run folders, logs or partial parse state.
    shipped = {f for f in wheel_venv.before_load if f.startswith("target/")}  # as installed, before any run
    assert shipped <= {"target/manifest.json", "target/semantic_manifest.json"}, shipped
    assert not (REPO / PACKAGED).exists(), "the source tree must never get a packaged dbt copy"


@pytest.mark.slow
def test_grpc_server_serves_the_wheel_and_ran_no_dbt_parse(wheel_venv, code_server, deploy_dir):
    listing = code_server.listing
    assert Path(listing.executable_path).parent == wheel_venv.root / "bin"
    pointers = list(listing.repository_code_pointer_dict.values())
    assert [p.module for p in pointers] == ["pipeline_platform.definitions"]
    assert not any(str(REPO) in str(p.working_directory) for p in pointers)
    # dbt parse would write partial_parse.msgpack, logs/dbt.log and a new manifest.json here
    # (runs write there too, later: so compare with the snapshot taken as loading finished).
    assert code_server.packaged_after_load == wheel_venv.before_load
    assert not [f for f in wheel_venv.before_load if f.endswith(("partial_parse.msgpack", ".log"))]
