"""The shop's CSV extracts, dropped into a landing folder one file per entity and day.

Files are written only for days that are over as of the source's instant, each exactly once and
atomically (temp file, then rename), so a sensor polling the folder never sees a half-written or a
later-rewritten file, and rerunning the drop is harmless.
"""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path

from pipeline_platform.demo import clock, customers, products
from pipeline_platform.demo.contract import COLUMNS

ENTITIES = ("customers", "products")


def rows_for_day(entity: str, day: date | str, scale: float = 1.0) -> list[tuple]:
    """Rows of ``<entity>_<day>.csv``: the customers or products created or changed that day."""
    number = clock.day_number(day)
    if number < 0:
        return []
    return customers.customers_on(number, scale) if entity == "customers" else products.products_on(number)


def file_path(landing_dir: Path | str, entity: str, day: date | str) -> Path:
    return Path(landing_dir) / entity / f"{entity}_{clock.day_date(clock.day_number(day))}.csv"


def write_day(landing_dir: Path | str, entity: str, day: date | str, scale: float = 1.0) -> Path:
    """(Re)write one day's file atomically and return its path."""
    path = file_path(landing_dir, entity, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS[entity])
        writer.writerows(rows_for_day(entity, day, scale))
    os.replace(tmp, path)
    return path


def land_days(landing_dir: Path | str, start: date | str, end: date | str, as_of=None,
              scale: float = 1.0, entities: tuple[str, ...] = ENTITIES) -> list[Path]:
    """Write the missing files of ``entities`` for days ``start``..``end`` (inclusive) that are
    complete as of ``as_of`` (default ``PIPELINE_DEMO_AS_OF`` or now); returns paths written."""
    as_of = clock.resolve_as_of(as_of)
    first = max(clock.day_number(start), 0)
    last = min(clock.day_number(end), clock.day_of(as_of) - 1)
    written = []
    for number in range(first, last + 1):
        day = clock.day_date(number)
        for entity in entities:
            if not file_path(landing_dir, entity, day).exists():
                written.append(write_day(landing_dir, entity, day, scale))
    return written

