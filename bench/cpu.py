"""CPU seconds spent by each process of a comparison, so a ratio comes with where its time went.

Wall-clock ratios say how much slower; on two cores they cannot say whether the platform is waiting
or working. Summing user + system time of this process, a server's process tree and Postgres's
(every backend is a child of the postmaster) shows which side is CPU-bound and on what.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def tree_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and every live descendant, plus children it has waited for."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICK


class Meter:
    """Wraps callables so each call records the CPU seconds of this process and of named others."""

    def __init__(self, **pids: int):
        self.pids, self.samples = pids, {}

    def _now(self) -> dict[str, float]:
        t = os.times()
        return {"client": t.user + t.system, **{name: tree_seconds(pid) for name, pid in self.pids.items()}}

    def wrap(self, side: str, fn):
        def measured():
            before = self._now()
            out = fn()
            after = self._now()
            self.samples.setdefault(side, []).append({k: after[k] - before[k] for k in after})
            return out
        return measured

    def medians(self) -> dict[str, dict[str, float]]:
        return {side: {k: round(statistics.median(s[k] for s in rows), 2) for k in rows[0]}
                for side, rows in self.samples.items()}
