"""sensor-tick: the landing sensor's tick over 10,000 already-seen files + 10 new vs 10 new alone.

The sensor runs on the daemon every 30 s, so its cost must track what changed, not what the folder
has accumulated. Both sides evaluate the real sensor (real ``raw`` assets from ``sources.yaml``)
with a stored cursor, so the first-tick baseline path is not what is timed. One measurement is
five ticks from the same cursor: a single tick is too short to time on a noisy machine.
"""

from __future__ import annotations

from bench.harness import compare, result

NAME = "sensor-tick"
TICKS = 5


def _fill(folder, names, body="1\n"):
    for rel in names:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)


def run(ctx) -> list[dict]:
    import dagster as dg

    from pipeline_platform.automation.landing_sensor import build_landing_sensor
    from pipeline_platform.ingestion.assets import build_raw_assets
    from pipeline_platform.ingestion.api.http_client import HttpClientResource
    from pipeline_platform.resources.landing import LandingFolder
    from pipeline_platform.resources.warehouse import WarehouseResource

    seen_count = ctx.args.sensor_files
    days = [f"2026-09-{d:02d}" for d in range(1, 31)] + [f"2026-10-{d:02d}" for d in range(1, 21)]
    old = [f"{s}/{s}_{days[(i // 2) % 50]}_part{i:05d}.csv" for i in range(seen_count)
           for s in ["customers" if i % 2 else "products"]]
    new = [f"customers/customers_2026-10-{25 + i % 5:02d}_new{i}.csv" for i in range(10)]
    big, small = ctx.tmp / "sensor_big", ctx.tmp / "sensor_small"
    (small / "customers").mkdir(parents=True, exist_ok=True)
    _fill(big, old)

    sensor = build_landing_sensor(settle_seconds=0)
    resources = {"warehouse": WarehouseResource(database_url=ctx.w.url), "http": HttpClientResource(),
                 "landing": LandingFolder(path=str(big))}
    defs = dg.Definitions(assets=build_raw_assets(), sensors=[sensor], resources=resources)
    with dg.instance_for_test() as instance:
        def tick(folder, cursor):
            context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs,
                                              resources={"landing": LandingFolder(path=str(folder))})
            return sensor.evaluate_tick(context)

        big_cursor, small_cursor = tick(big, None).cursor, tick(small, None).cursor
        _fill(big, new)
        _fill(small, new)

        def ticks(folder, cursor):
            def go():
                for _ in range(TICKS):
                    assert len(tick(folder, cursor).run_requests) == 5
            return go

        base, plat = compare(ticks(small, small_cursor), ticks(big, big_cursor), ctx.repeats)
    sizes = {"seen_files": seen_count, "new_files": len(new), "ticks_per_measure": TICKS}
    return [result(NAME, f"tick over {seen_count} seen + 10 new vs 10 new alone", base, plat, "<=", 20,
                   sizes=sizes)]
