"""api-load: the API asset over the demo API (pages of 5,000) vs merely fetching and parsing them.

The server runs in its own process, as a real API would: in-process it would share the GIL with the
loader and the ratio would measure contention. Its ``--as-of`` is fixed, so every repeat sees the
same records; ``--scale`` is set so the ``/orders`` snapshot holds about ``--api-rows`` records.
"""

from __future__ import annotations

import subprocess
import sys

from bench import cpu, env
from bench.harness import compare, result

NAME = "api-load"
AS_OF = "2026-11-01T00:00:00+00:00"
ORDERS_AT_SCALE_1 = 12_808  # /orders records as of AS_OF at scale 1
PAGE = 5000
COLUMNS = {"order_id": "bigint", "customer_id": "bigint", "product_id": "bigint", "quantity": "int",
           "amount": "numeric(12,2)", "status": "text", "ordered_at": "timestamptz", "updated_at": "timestamptz",
           "deleted_at": "timestamptz"}


class Server:
    """``python -m pipeline_platform.demo serve`` on a free port, stopped by pid."""

    def __init__(self, rows: int = 0, as_of: str = AS_OF, scale: float | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline_platform.demo", "serve", "--port", "0", "--as-of", as_of,
             "--scale", str(scale or rows / ORDERS_AT_SCALE_1)], stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().split(" on ")[1].split()[0]

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def spec_entry(url: str) -> dict:
    return {"kind": "api", "base_url": url, "endpoint": "/orders", "load": "append", "partitioned": "none",
            "pagination": {"style": "cursor", "page_size": PAGE}, "columns": COLUMNS}


def fetch_all(url: str) -> int:
    """The baseline: GET every page with keep-alive and parse its JSON, nothing else."""
    import requests

    records, token = 0, None
    with requests.Session() as session:
        while True:
            params = {"limit": PAGE, **({"cursor": token} if token else {})}
            body = session.get(url + "/orders", params=params, timeout=60).json()
            records += len(body["data"])
            token = body.get("next_cursor")
            if not token:
                return records


def warm(url: str) -> int:
    """One page: the server builds its snapshot of ``/orders`` for the first request (seconds at
    benchmark scale), and no case should time that; returns the snapshot's record count."""
    import requests

    return requests.get(url + "/orders", params={"limit": 1}, timeout=600).json()["total"]


def run(ctx) -> list[dict]:
    server = Server(ctx.args.api_rows)
    try:
        spec = env.spec_for(ctx.tmp, "api_load", spec_entry(server.url))
        records = warm(server.url)
        meter = cpu.Meter(server=server.proc.pid, postgres=ctx.w.postmaster_pid())
        # Every platform sample is a first load into a fresh table (its DDL takes milliseconds).
        base, plat = compare(meter.wrap("baseline", lambda: fetch_all(server.url)),
                             meter.wrap("platform", lambda: env.load(ctx.w.url, spec)), ctx.repeats,
                             reset=lambda side: ctx.w.psql(f"DROP TABLE IF EXISTS raw.{spec.table}"))
    finally:
        server.close()
    used = meter.medians()
    sizes = {"records": records, "page_size": PAGE,
             **{f"cpu s {side} (client/server/postgres)": "/".join(f"{v:g}" for v in used[side].values())
                for side in ("baseline", "platform")}}
    return [result(NAME, "API asset load vs fetch + parse of the same pages", base, plat, "<=", 1.5, sizes=sizes,
                   cpu_seconds=used)]
