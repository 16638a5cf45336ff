"""The sample project's dispatch API on loopback, and its crew roster export: known data per day.

Three visits a day from the partition start, each an hour or so long; a visit's ``updated_at`` is
its end, so the API's ``updated_since``/``updated_until`` window selects whole days. A test may
``touch`` a visit (a later edit) to see the next build change the data.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.loopback import LoopbackServer

FIRST_DAY = date(2026, 10, 1)  # partitions.start of sources.yaml
TECHS = [(1, "Ada Byrne", "north"), (2, "Bo Lindqvist", "south"), (3, "Cai Moreno", "north")]


def visits_until(last: date) -> list[dict]:
    rows = []
    day, visit_id = FIRST_DAY, 1
    while day <= last:
        for slot in range(3):
            start = datetime.combine(day, time(8 + 3 * slot, 15), tzinfo=timezone.utc)
            end = start + timedelta(minutes=45 + 10 * slot)
            rows.append({"visit_id": visit_id, "tech_id": 1 + (visit_id % 3), "started_at": start.isoformat(),
                         "ended_at": end.isoformat(), "updated_at": end.isoformat()})
            visit_id += 1
        day += timedelta(days=1)
    return rows


def land_roster(landing: Path) -> Path:
    path = landing / "hr" / "exports" / "crew_roster.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("tech_id,full_name,region\n" + "".join(f"{i},{n},{r}\n" for i, n, r in TECHS))
    return path


class DispatchApi(LoopbackServer):
    def __init__(self, last: date):
        self.visits = visits_until(last)
        self.requests = 0
        self.start()

    def touch(self, visit_id: int, minutes: int) -> None:
        """A later edit: the visit is ``minutes`` long now, and updated at its new end."""
        visit = next(v for v in self.visits if v["visit_id"] == visit_id)
        end = datetime.fromisoformat(visit["started_at"]) + timedelta(minutes=minutes)
        visit["ended_at"] = visit["updated_at"] = end.isoformat()

    def handle(self, req) -> None:
        self.requests += 1
        url = urlsplit(req.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/v2/visits":
            return self.send(req, 404, b'{"error": "not found"}')
        since, until = (datetime.fromisoformat(query[k]) if query.get(k) else None for k in ("updated_since", "updated_until"))
        rows = [v for v in self.visits if (not since or datetime.fromisoformat(v["updated_at"]) >= since)
                and (not until or datetime.fromisoformat(v["updated_at"]) < until)]
        page, size = int(query.get("page", 1)), int(query.get("page_size", 50))
        body = {"items": rows[(page - 1) * size: page * size]}
        self.send(req, 200, json.dumps(body).encode())
