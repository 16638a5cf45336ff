"""One platform load in a fresh process that prints its own peak RSS, for the memory case.

A separate process per measurement is the only honest peak: in the harness process, earlier cases'
allocations (and pandas) would already sit in the high-water mark. ``VmHWM`` is the kernel's own
peak for this process, so no sampling interval can miss a spike; ``ru_maxrss`` is not usable here,
since Linux carries it over from the forking parent across ``exec``.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    from bench import env

    job = json.loads(sys.argv[1])
    tmp = Path(job["tmp"])
    spec = env.spec_for(tmp, job["name"], job["entry"])
    env.load(job["url"], spec, Path(job["landing"]) if job.get("landing") else None)
    print(json.dumps({"peak_mb": peak_kb() / 1024}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
