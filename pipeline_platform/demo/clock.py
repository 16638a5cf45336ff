"""The demo shop's calendar: day numbers and instants, kept as plain integers.

Every generator works in whole epoch seconds and day numbers since the shop opened, because
integers sort, compare and hash cheaply when a benchmark pages a million records, and leave no room
for time zone or float drift between two regenerations of the same day.
"""

from __future__ import annotations

import math
import os
import random
from bisect import bisect
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

SHOP_OPENED = date(2026, 9, 1)  # equals partitions.start of the demo's sources.yaml (a test checks)
OPENED_EPOCH = int(datetime(2026, 9, 1, tzinfo=timezone.utc).timestamp())
DAY = 86_400
AS_OF_ENV = "PIPELINE_DEMO_AS_OF"
# Relative shop traffic per hour of day (UTC): quiet nights, busy evenings.
_HOURLY = [1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 8, 8, 7, 7, 8, 9, 10, 10, 9, 7, 4, 2]
_CUM_HOURLY = [sum(_HOURLY[: i + 1]) / sum(_HOURLY) for i in range(23)] + [1.0]


def day_number(day: date | str) -> int:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return (day - SHOP_OPENED).days


def day_date(number: int) -> date:
    return SHOP_OPENED + timedelta(days=number)


def day_start(number: int) -> int:
    return OPENED_EPOCH + number * DAY


def day_of(instant: int) -> int:
    return (instant - OPENED_EPOCH) // DAY


def to_epoch(value: str | datetime | None, up: bool = True) -> int | None:
    """ISO 8601 (naive means UTC) or datetime to whole epoch seconds. Window bounds round up and
    "as of" rounds down, so comparisons with integer instants keep the exact original meaning."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > 19 and value[-6] == " ":  # a query string decoded "+00:00" to " 00:00"
            value = value[:-6] + "+" + value[-5:]
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    ts = value.timestamp()
    return math.ceil(ts) if up else math.floor(ts)


@lru_cache(maxsize=8192)
def _day_prefix(number: int) -> str:
    return day_date(number).isoformat() + "T"


@lru_cache(maxsize=1)
def _clock_faces() -> tuple[str, ...]:
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00:00" for s in range(DAY))


def iso(instant: int) -> str:
    """ISO 8601 with offset, the contract's timestamp format (table lookups: it runs per field)."""
    number, sec = divmod(instant - OPENED_EPOCH, DAY)
    return _day_prefix(number) + _clock_faces()[sec]


def resolve_as_of(as_of: str | datetime | int | None = None) -> int:
    """The source's "now": an explicit instant, else ``PIPELINE_DEMO_AS_OF``, else the clock."""
    if isinstance(as_of, int):
        return as_of
    value = as_of or os.environ.get(AS_OF_ENV) or None
    return to_epoch(value, up=False) if value else int(datetime.now(timezone.utc).timestamp())


def times_of_day(rng: random.Random, number: int, count: int, earliest: int = 0) -> list[int]:
    """``count`` sorted instants on day ``number`` following the shop's hourly traffic, none in
    the first ``earliest`` seconds of the day."""
    cum, rand, start, out = _CUM_HOURLY, rng.random, day_start(number), []
    while len(out) < count:
        sec = bisect(cum, rand()) * 3600 + int(rand() * 3600)
        if sec >= earliest:
            out.append(start + sec)
    out.sort()
    return out


def time_of_day(rng: random.Random, number: int) -> int:
    return times_of_day(rng, number, 1)[0]
