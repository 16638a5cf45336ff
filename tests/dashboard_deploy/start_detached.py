"""A stand-in for ``docker compose restart dashboard``: (re)start a detached server and exit.

Usage: ``python start_detached.py PIDFILE LOGFILE COMMAND...``. Stops the process named in PIDFILE
(if any), starts COMMAND in a new session with output to LOGFILE, writes its pid, and returns at
once, like a container runtime would; the test that owns PIDFILE stops the server afterwards.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

pidfile, logfile, *command = sys.argv[1:]
if Path(pidfile).exists():
    old = int(Path(pidfile).read_text())
    try:
        os.killpg(old, signal.SIGTERM)
    except OSError:
        pass
    for _ in range(100):  # wait until it is gone (and its port free), as `restart` does
        if not Path(f"/proc/{old}").exists() or Path(f"/proc/{old}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.1)
with open(logfile, "ab") as log:
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
Path(pidfile).write_text(str(proc.pid))
print(f"started {proc.pid}")
