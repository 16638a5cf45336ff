"""``make bench``: run the issue-7 cases against a throwaway embedded Postgres, write JSON + markdown.

One server per run (in a temp folder, deleted at the end) keeps the developer's ``.state`` out of it
and spares every case a server start. A failing case is reported in the table, not fatal, so one
broken case never hides the others' numbers.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import env, harness, report  # noqa: E402
from bench.context import Context  # noqa: E402
from bench.cases import registry  # noqa: E402

SMOKE = {"rows": 2000, "pandas_rows": 1000, "pandas_multi_rows": 1000, "api_rows": 2000, "sensor_files": 50, "memory_rows": "1000,3000", "memory_api_rows": "1000,3000", "memory_repeats": 1,
         "repeats": 3, "location_models": 20,
         "incremental_scale": 0.2}


def parse(argv=None):
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    p.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    p.add_argument("--rows", type=int, default=1_000_000, help="CSV rows for csv-load/csv-upsert")
    p.add_argument("--pandas-rows", type=int, default=100_000, help="rows for vs-pandas (pandas is slow)")
    p.add_argument("--pandas-multi-rows", type=int, default=50_000, help="rows for vs-pandas method='multi' (slower)")
    p.add_argument("--api-rows", type=int, default=1_000_000, help="approximate records for api-load")
    p.add_argument("--sensor-files", type=int, default=10_000, help="already-seen landing files for sensor-tick")
    p.add_argument("--memory-rows", default="1000000,5000000", help="small,large rows for the memory case")
    p.add_argument("--memory-api-rows", default="100000,500000", help="small,large records, memory (api)")
    p.add_argument("--location-models", type=int, default=1000, help="dbt models of the big project, location-load")
    p.add_argument("--incremental-scale", type=float, default=10.0, help="demo shop volume for incremental (10: the issue's 10x)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--memory-repeats", type=int, default=None, help="repeats for memory (default: --repeats)")
    p.add_argument("--smoke", action="store_true", help="tiny sizes: checks the harness, not performance")
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    args = p.parse_args(argv)
    if args.smoke:
        for key, value in SMOKE.items():
            setattr(args, key, value)
    return args


def main(argv=None) -> int:
    args = parse(argv)
    cases = registry()
    names = [n.strip() for n in args.cases.split(",") if n.strip()] or list(cases)
    unknown = set(names) - set(cases)
    if unknown:
        raise SystemExit(f"unknown case(s) {sorted(unknown)}; known: {list(cases)}")
    tmp = Path(tempfile.mkdtemp(prefix="pp-bench-"))
    w = env.Warehouse(tmp / "pg")
    ctx, results, began = Context(args, w, tmp), [], time.perf_counter()
    try:
        for name in names:
            harness.LOADS.clear()
            load_before = harness.load_1min()
            ctx.log(f"{name} ... (1-min load average {load_before})")
            start = time.perf_counter()
            try:
                rows = cases[name].run(ctx)
            except Exception as exc:  # one broken case must not hide the others
                traceback.print_exc()
                rows = [{"case": name, "error": f"{type(exc).__name__}: {exc}", "met": False}]
            load = {"before": load_before, "after": harness.load_1min(), "samples": list(harness.LOADS)}
            for row in rows:  # the whole case's time goes on each of its rows; report.py sums it once
                row.update(load_1min=load, case_seconds=round(time.perf_counter() - start, 1))
            for row in rows:
                ctx.log(f"{row['case']}: median {row.get('median')} target {row.get('target')} met {row['met']}")
            ctx.log(f"{name} done in {time.perf_counter() - start:.0f}s")
            results.extend(rows)
    finally:
        w.close()
        shutil.rmtree(tmp, ignore_errors=True)
    doc = report.write(Path(args.out), names, results, " ".join(sys.argv[1:] if argv is None else argv), args.repeats,
                       seconds=round(time.perf_counter() - began))
    print(report.markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
