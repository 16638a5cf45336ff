"""Read the deployment manifests the way Docker, Compose and Helm would, for the lint tests.

Only what the tests compare is modelled: the final Dockerfile stage (its COPY destinations, WORKDIR
and CMD), the compose services and the Helm user deployment.
"""

from __future__ import annotations

import json
import shlex
from pathlib import PurePosixPath

import yaml

from tests.deploy.build import REPO


def final_stage() -> dict:
    """``copies`` maps each image path to its repo source, plus ``workdir``, ``env`` and ``cmd``."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    stage: dict = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        op, _, rest = line.strip().partition(" ")
        op = op.upper()
        if op == "FROM":
            stage = {"copies": {}, "workdir": "/", "env": {}, "cmd": None}
        elif op == "COPY" and "--from=" not in rest:
            *sources, dest = [t for t in shlex.split(rest) if not t.startswith("--")]
            for src in sources:
                stage["copies"][str(PurePosixPath(stage["workdir"], dest))] = src
        elif op == "WORKDIR":
            stage["workdir"] = str(PurePosixPath(stage["workdir"], rest.strip()))
        elif op == "ENV":
            stage["env"].update(dict(t.split("=", 1) for t in shlex.split(rest)))
        elif op == "CMD":
            stage["cmd"] = json.loads(rest)
    return stage


def compose_services() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yaml").read_text())["services"]


def helm_deployment() -> dict:
    [deployment] = yaml.safe_load((REPO / "deploy" / "values.yaml").read_text())["dagster-user-deployments"]["deployments"]
    return deployment
