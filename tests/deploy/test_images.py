"""Compose and Helm name only images, commands, modules and files that the repo's build provides.

Nothing here can run Docker or Kubernetes, so each name is resolved against what they would run: the
image the Dockerfile builds (its final stage's COPYs and WORKDIR) with the ``make package`` wheel
installed, which is exactly the venv the other deployment tests serve from.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pytest

from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.dbt.project import manifest_path
from tests.deploy.build import REPO
from tests.deploy.manifests import compose_services, final_stage, helm_deployment

FIND = "import importlib.util as u, sys; print(' '.join(m for m in sys.argv[1:] if u.find_spec(m) is None))"
SERVICES = {"code-server", "webserver", "daemon", "dashboard", "worker-1", "worker-2", "dbt-docs"}


def repo_source(stage: dict, path: str) -> Path:
    """The repo file that lands at ``path`` (relative to WORKDIR) in the image."""
    target = PurePosixPath(stage["workdir"], path)
    for dest, src in stage["copies"].items():
        if target == PurePosixPath(dest) or PurePosixPath(dest) in target.parents:
            return REPO / src / target.relative_to(dest)
    raise AssertionError(f"{target} is not copied into the image: {stage['copies']}")


def missing_modules(venv, modules: set[str]) -> list[str]:
    done = subprocess.run([str(venv.python), "-c", FIND, *sorted(modules)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def needs(argv: list[str], stage: dict, venv) -> set[str]:
    """Assert the executable and files of one command exist; return the modules it imports."""
    assert (venv.root / "bin" / argv[0]).is_file(), f"{argv[0]} is not installed with the wheel"
    files = [argv[argv.index("-w") + 1]] if "-w" in argv else []  # workspace file
    if "streamlit" in argv:
        files.append(argv[argv.index("run", argv.index("streamlit")) + 1])  # the app script
    for path in files:
        assert repo_source(stage, path).is_file(), argv
    return {argv[argv.index("-m") + 1]} if "-m" in argv else set()


@pytest.mark.slow
def test_compose_services_run_from_the_dockerfile_image(wheel_venv):
    stage, services = final_stage(), compose_services()
    platform = {name: s for name, s in services.items() if s.get("build")}
    assert set(platform) == SERVICES
    assert {s["image"] for s in platform.values()} == {"pipeline-platform:latest"}
    assert {s["build"]["context"] for s in platform.values()} == {"."}
    assert (REPO / platform["webserver"]["build"]["dockerfile"]).is_file()
    assert platform["code-server"]["command"] == stage["cmd"]
    assert repo_source(stage, stage["env"]["DAGSTER_HOME"] + "/dagster.yaml") == REPO / "deploy" / "dagster.prod.yaml"
    modules = set()
    for service in platform.values():
        modules |= needs(service["command"], stage, wheel_venv)
    modules |= needs(platform["code-server"]["healthcheck"]["test"][1:], stage, wheel_venv)
    assert modules >= {"pipeline_platform.definitions", "pipeline_platform.dashboard.entry", "pipeline_platform.workers"}
    # the dashboard service serves each exposure's app from PIPELINE_DASHBOARD_APP_DIR in the image
    for exposure in streamlit_exposures(manifest_path()):
        assert repo_source(stage, str(PurePosixPath(stage["env"]["PIPELINE_DASHBOARD_APP_DIR"], exposure.app))).is_file()
    assert missing_modules(wheel_venv, modules) == []


@pytest.mark.slow
def test_helm_user_deployment_uses_the_compose_image_and_code_location(wheel_venv):
    deployment, services = helm_deployment(), compose_services()
    image = deployment["image"]
    assert f"{image['repository']}:{image['tag']}" == services["code-server"]["image"]
    code_server = services["code-server"]["command"]
    assert deployment["dagsterApiGrpcArgs"] == code_server[code_server.index("-m"):code_server.index("-m") + 2]
    assert missing_modules(wheel_venv, {deployment["dagsterApiGrpcArgs"][1]}) == []
    assert deployment["port"] == int(code_server[code_server.index("-p") + 1])

