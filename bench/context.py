"""What every case receives: the parsed flags, the run's warehouse, a temp folder, cached CSV files.

Generated files are cached per (size, variant) for the whole run, so cases that share a size (csv-load,
csv-upsert, memory) pay for generation once, and generation never sits inside a measurement.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import data


class Context:
    def __init__(self, args, w, tmp: Path):
        self.args, self.w, self.tmp = args, w, tmp
        self.rows, self.repeats, self.smoke = args.rows, args.repeats, args.smoke
        self._csv: dict = {}

    def csv(self, rows: int, changed_every: int = 0) -> tuple[Path, Path]:
        """(landing folder, file) holding one generated customers CSV of ``rows`` rows."""
        key = (rows, changed_every)
        if key not in self._csv:
            landing = self.tmp / f"landing_{rows}_{changed_every}"
            path = data.write_csv(landing / "customers" / "customers_2026-09-01.csv", rows, changed_every)
            self._csv[key] = (landing, path)
        return self._csv[key]

    def log(self, msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)
