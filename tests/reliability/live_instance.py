"""A live Dagster instance for fault tests: gRPC code server + ``dagster-daemon run``, as deployed.

Runs are submitted through the GraphQL ``launchRun`` mutation executed in the test process against a
workspace that points at the running code server (the webserver's own code path, without its HTTP
layer), so they travel the real route: run queue -> daemon -> DefaultRunLauncher -> code server ->
run worker process. The instance is the repo's ``dagster.yaml`` with only its polling intervals
shortened (``live_env.py``); schedules and sensors are stopped before the daemon starts, so the only runs are the
test's own, except those a test names in ``running``: they are started then, before the daemon, since
a schedule started while the daemon's first pass is under way can be written back as stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import dagster as dg
import psutil
import yaml
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster._grpc.client import DagsterGrpcClient
from dagster_graphql.test.utils import execute_dagster_graphql

from tests.deploy.build import REPO
from tests.deploy.procs import Server
from tests.helpers import free_port

LOCATION = "pipeline_platform"
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } ... on Error { message } } }"""
DONE = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@dataclass
class LiveInstance:
    root: Path
    env: dict  # every setting the code server, daemon and run workers get
    code_server: Server | None = None
    daemon: Server | None = None
    workspace: WorkspaceProcessContext | None = None
    instance: dg.DagsterInstance | None = None
    running: frozenset[str] = frozenset()  # schedules and sensors to turn on (all others are turned off)

    def start(self) -> "LiveInstance":
        logs = self.root / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        port = free_port()
        bin_dir = Path(REPO / ".venv" / "bin")
        dagster = str(bin_dir / "dagster") if bin_dir.exists() else "dagster"
        # The instance's tables first, from this process alone: the code server opens the instance
        # at startup too (dagster/_grpc/server.py), and dagster-postgres creates the event-log tables
        # only when `event_logs` is missing, so two storages starting at once on an empty database
        # can leave one out (a run launched later failed: no asset_keys).
        with mock.patch.dict(os.environ, {"DAGSTER_POSTGRES_URL": self.env["DAGSTER_POSTGRES_URL"]}):
            self.instance = dg.DagsterInstance.from_config(self.env["DAGSTER_HOME"])
        # from_config built every storage, and each created its tables in its constructor
        assert self.instance.event_log_storage.has_table("asset_keys")
        self.code_server = Server("code-server", [dagster, "api", "grpc", "-m", "pipeline_platform.definitions",
                                                  "-h", "127.0.0.1", "-p", str(port)], self.env, REPO, logs)
        workspace_file = self.root / "workspace.yaml"
        workspace_file.write_text(yaml.safe_dump({"load_from": [{"grpc_server": {
            "host": "127.0.0.1", "port": port, "location_name": LOCATION}}]}))
        client = DagsterGrpcClient(port=port, host="127.0.0.1")
        self.code_server.wait_for(lambda: client.ping("up"), 240, "code server answering")
        self.workspace = WorkspaceProcessContext(self.instance, WorkspaceFileTarget([str(workspace_file)]))
        assert self.workspace.create_request_context().has_code_location(LOCATION), self.code_server.tail()
        self._stop_instigators()
        self.daemon = Server("daemon", [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace_file)],
                             self.env, REPO, logs)
        self.daemon.wait_for(self._daemons_healthy, 120, "daemon heartbeats")
        return self

    def heartbeats(self) -> dict[str, float]:
        """Last heartbeat time of each daemon thread (run queue, monitoring, sensors, ...)."""
        return {kind: beat.timestamp for kind, beat in self.instance.get_daemon_heartbeats().items()}

    def _daemons_healthy(self) -> bool:
        return {"QUEUED_RUN_COORDINATOR", "MONITORING"} <= set(self.heartbeats())

    def _stop_instigators(self) -> None:
        location = self.workspace.create_request_context().get_code_location(LOCATION)
        for repo in location.get_repositories().values():
            for sensor in repo.get_sensors():
                if sensor.name in self.running:
                    self.instance.start_sensor(sensor)
                else:
                    self.instance.stop_sensor(sensor.get_remote_origin_id(), sensor.selector_id, sensor)
            for schedule in repo.get_schedules():
                if schedule.name in self.running:
                    self.instance.start_schedule(schedule)
                else:
                    self.instance.stop_schedule(schedule.get_remote_origin_id(), schedule.selector_id, schedule)

    def launch(self, keys: list[dg.AssetKey], tags: dict | None = None, run_config: dict | None = None) -> str:
        """Queue a run of ``keys`` the way the UI does; returns its run id."""
        context = self.workspace.create_request_context()
        [repo] = context.get_code_location(LOCATION).get_repositories().values()
        params = {
            "selector": {"repositoryLocationName": LOCATION, "repositoryName": repo.name, "jobName": "__ASSET_JOB",
                         "assetSelection": [{"path": k.path} for k in keys]},
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
            "runConfigData": run_config or {},
        }
        launched = execute_dagster_graphql(context, LAUNCH, {"params": params}).data["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        return launched["run"]["runId"]

    def wait(self, run_id: str, statuses: set[dg.DagsterRunStatus], timeout: float) -> dg.DagsterRun:
        deadline = time.monotonic() + timeout
        while (run := self.instance.get_run_by_id(run_id)).status not in statuses and time.monotonic() < deadline:
            time.sleep(0.2)
        return run

    def run_workers(self) -> list[psutil.Process]:
        """The code server's run worker processes (multiprocessing children, not its helpers)."""
        children = psutil.Process(self.code_server.proc.pid).children()
        return [p for p in children if "resource_tracker" not in " ".join(p.cmdline())]

    def kill_run_worker(self) -> dict[psutil.Process, str]:
        """SIGKILL the one run worker; returns its descendants (steps, dbt, log tailers) and their
        command lines, as they were at the kill."""
        [worker] = self.run_workers()
        descendants = {}
        for proc in worker.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                descendants[proc] = " ".join(proc.cmdline())
        worker.kill()
        return descendants

    def tails(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.tail(3000)}" for s in (self.code_server, self.daemon) if s)

    def stop(self) -> None:
        for server in (self.daemon, self.code_server):  # a throwaway instance: no graceful shutdown
            if server and server.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.proc.pid, signal.SIGKILL)
                server.proc.wait(10)
        if self.workspace:
            self.workspace.__exit__(None, None, None)
        if self.instance:
            self.instance.dispose()
