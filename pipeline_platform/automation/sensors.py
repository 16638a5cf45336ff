"""Event-based triggers: a landing file starts its load without waiting for the nightly schedule.

The cursor records each file's content hash, so a re-dropped identical file never loads twice and a
changed one loads again.
"""

from __future__ import annotations

import hashlib
import json
import re

import dagster as dg

from pipeline_platform.automation.jobs import ingest_job
from pipeline_platform.resources.landing import LandingFolder

DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dg.sensor(job=ingest_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def landing_sensor(context: dg.SensorEvaluationContext, landing: LandingFolder):
    seen: dict[str, str] = json.loads(context.cursor or "{}")
    requests = []
    for path in sorted(landing.root().rglob("*.csv")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        rel = str(path.relative_to(landing.root()))
        match = DAY.search(path.name)
        if seen.get(rel) == digest or not match:
            continue
        seen[rel] = digest
        requests.append(dg.RunRequest(run_key=f"{rel}:{digest}", partition_key=match.group(1)))
    context.update_cursor(json.dumps(seen))
    return requests or dg.SkipReason("no new or changed landing files")
