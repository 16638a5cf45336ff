"""A ``dagster api grpc`` code server for one tree, started as ``dagster dev`` starts it, and watched.

``load`` is the unit location-load times: spawn the server, wait until it answers, fetch the
repository snapshot through the same client code the webserver uses. While it runs, a sampler
lists the server's descendants every 10 ms, so a ``dbt parse`` at load cannot go unseen.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _watch_dbt(pid: int, seen: set, stop: threading.Event) -> None:
    import psutil

    try:
        proc = psutil.Process(pid)
        while not stop.is_set():
            for child in proc.children(recursive=True):
                try:
                    cmd = child.cmdline()
                except psutil.Error:
                    continue
                if any("dbt" in Path(part).name for part in cmd[:3]):
                    seen.add(" ".join(cmd[:4]))
            stop.wait(0.01)
    except psutil.Error:
        pass


def _stop(client, proc) -> None:
    """The server's own shutdown call (it may ignore SIGTERM), then SIGKILL if it lingers."""
    try:
        client.shutdown_server()
        proc.wait(timeout=30)
    except Exception:
        proc.kill()
        proc.wait(timeout=30)


def load(tree: Path, dbt_seen: set) -> int:
    """Serve ``pipeline_platform.definitions`` from ``tree`` and fetch its repositories; returns the asset count."""
    import dagster as dg
    from dagster._core.remote_origin import GrpcServerCodeLocationOrigin
    from dagster._grpc.client import DagsterGrpcClient

    port, log_path = _port(), tree / "grpc.log"
    env = {**os.environ, "PYTHONPATH": str(tree), "DAGSTER_IS_DEV_CLI": "1"}
    with log_path.open("w") as log:  # a pipe could fill up and block the server
        proc = subprocess.Popen([sys.executable, "-m", "dagster", "api", "grpc", "-m", "pipeline_platform.definitions",
                                 "-h", "127.0.0.1", "-p", str(port), "--log-level", "warning"], cwd=tree, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    client, stop = DagsterGrpcClient(port=port, host="127.0.0.1"), threading.Event()
    watcher = threading.Thread(target=_watch_dbt, args=(proc.pid, dbt_seen, stop), daemon=True)
    watcher.start()
    try:
        deadline, silent = time.monotonic() + 120, f"code server did not answer on 127.0.0.1:{port} within 120 s"
        for _ in range(6000):  # 120 s of 20 ms polls
            if proc.poll() is not None:
                raise RuntimeError(f"code server exited {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                client.ping("")
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise RuntimeError(silent) from None
                time.sleep(0.02)
        else:
            raise RuntimeError(silent)
        with dg.DagsterInstance.ephemeral() as instance:
            with GrpcServerCodeLocationOrigin(host="127.0.0.1", port=port).create_location(instance) as location:
                return sum(len(repo.get_asset_node_snaps()) for repo in location.get_repositories().values())
    finally:
        stop.set()
        _stop(client, proc)
        watcher.join(5)
