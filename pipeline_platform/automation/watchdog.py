"""The alerts that cannot come from a sensor: the daemon is down, or the code location does not load.

Sensors run inside the daemon and inside the code location, so when either is broken the sensors
are silent exactly when they are needed (Dagster+ watches its agent from outside for the same
reason). This small process runs beside them (``make watchdog``, or a service of its own in a
deployment): each round it reads the daemons' heartbeats from the instance and validates the
workspace's code locations with ``dagster definitions validate`` in a subprocess, then posts through
the same policies, Slack resource and incident bookkeeping as the sensors. Its incidents and
undelivered messages live in the instance's key-value store, so a restarted watchdog neither
repeats an alert nor forgets a recovery.
"""

from __future__ import annotations

import argparse
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg

from pipeline_platform.automation.alert_state import AlertState, deliver, skip_without_token
from pipeline_platform.automation.dagster_internals import daemon_heartbeats, kv_get, kv_set
from pipeline_platform.automation.messages import daemon_down_text, location_error_text, recovery_text
from pipeline_platform.automation.policies import Policies, load_policies
from pipeline_platform.automation.settings import TOKEN_ENV
from pipeline_platform.automation.slack import PlatformSlack

LOG = logging.getLogger("pipeline_platform.automation.watchdog")  # also when run with -m
STATE_KEY = "pipeline_platform/alert_watchdog"
VALIDATE_TIMEOUT = 300
_FAILED = re.compile(r"Validation failed for code location (\S+?):\s*\n(.*?)(?=\n\s*Stack Trace:|\n\S+ - dagster - |\Z)", re.S)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def location_errors(workspace: Path) -> dict[str, str]:
    """Code location name -> load error, for every location of ``workspace`` that fails to load."""
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-w", str(workspace)],
        cwd=workspace.parent, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT,
    )
    if proc.returncode == 0:
        return {}
    output = _ANSI.sub("", proc.stdout + proc.stderr)
    found = {name: error.strip() for name, error in _FAILED.findall(output)}
    return found or {workspace.name: "\n".join(output.strip().splitlines()[-6:])}


def check_once(instance: dg.DagsterInstance, slack: PlatformSlack, policies: Policies, workspace: Path | None,
               now: float | None = None) -> str:
    """One round: open or recover incidents, deliver what is pending, save the state."""
    skip = skip_without_token(slack)
    if skip:
        return skip.skip_message
    now = time.time() if now is None else now
    state = AlertState.load(kv_get(instance, STATE_KEY))
    for policy in policies.for_trigger("daemon_down"):
        timeout = policy.options["heartbeat_timeout_seconds"]
        late = sorted(kind for kind, beat in daemon_heartbeats(instance).items() if now - beat > timeout)
        changed, recovered = state.reconcile(policy.name, {"daemon": "down"} if late else {})
        if changed:
            state.queue(f"{policy.name}:down:{now:.0f}", daemon_down_text(late, timeout, policy.icon), [policy.channel])
        if recovered:
            state.queue(f"{policy.name}:up:{now:.0f}", recovery_text("the Dagster daemon sends heartbeats again"), [policy.channel])
    location_policies = policies.for_trigger("code_location_error")
    errors = location_errors(workspace) if location_policies and workspace else {}
    for policy in location_policies:
        changed, recovered = state.reconcile(policy.name, {name: "error" for name in errors})
        for name in changed:
            state.queue(f"{policy.name}:{name}:{now:.0f}", location_error_text(name, errors[name], policy.icon), [policy.channel])
        for name in recovered:
            state.queue(f"{policy.name}:{name}:ok:{now:.0f}", recovery_text(f"code location `{name}` loads again"), [policy.channel])
    sent = deliver(slack, state)
    kv_set(instance, STATE_KEY, state.dump())
    return f"sent {sent}; {len(state.pending)} pending; open: {', '.join(state.open) or 'none'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, default=Path("workspace.yaml"), help="workspace file to validate")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between rounds")
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    LOG.setLevel(logging.INFO)  # its own rounds; the storage libraries stay at warnings
    policies = load_policies()  # a bad policy file stops the watchdog here, with its line
    slack = PlatformSlack(token=dg.EnvVar(TOKEN_ENV))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with dg.DagsterInstance.get() as instance:
        while True:
            try:
                LOG.info(check_once(instance, slack, policies, args.workspace.resolve()))
            except Exception:  # a broken round must not end the watch: log and go again
                LOG.exception("watchdog round failed")
            if args.once or stop.wait(args.interval):
                return 0


if __name__ == "__main__":
    sys.exit(main())
