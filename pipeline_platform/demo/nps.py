"""Net Promoter Score survey answers, ~40 a day, with a slow monthly swing in sentiment.

A flat random score would give a flat NPS line; the swing gives the dashboard something real to
show, while each day's answers stay a pure function of that day.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from typing import NamedTuple

from pipeline_platform.demo import clock, memo, volumes
from pipeline_platform.demo.orders import HOUR, customer_pool

_BASE_WEIGHTS = [2, 1, 1, 2, 2, 4, 6, 12, 18, 22, 30]  # scores 0..10: NPS around +30
COMMENTS = {
    "detractor": ["Delivery took far too long.", "Item arrived damaged.", "Support never answered.",
                  "Too expensive for the quality."],
    "passive": ["Fine, nothing special.", "Good product, slow shipping.", "Okay experience overall."],
    "promoter": ["Fast delivery, great quality!", "Will order again.", "Excellent support, thank you.",
                 "Exactly as described."],
}


class Response(NamedTuple):
    response_id: int
    times: tuple[int, ...]  # (responded_at,)
    customer_id: int
    score: int
    comment: str | None


@lru_cache(maxsize=16)
def ids(scale: float) -> volumes.IdRange:
    return volumes.IdRange("nps_responses", 40, scale)


def score_weights(number: int) -> list[float]:
    swing = 0.35 * math.sin(2 * math.pi * number / 28)
    return [w * (1 - swing) if s <= 6 else w * (1 + swing) if s >= 9 else w for s, w in enumerate(_BASE_WEIGHTS)]


def category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


@memo.per_day
def answered_on(number: int, scale: float = 1.0) -> tuple[Response, ...]:
    """Every survey answer given on day ``number``, in time order (ids follow it)."""
    rng = random.Random(f"nps_responses:{clock.day_date(number)}")
    first_id, count = ids(scale).first_id(number), ids(scale).count(number)
    pool, weights = customer_pool(number, scale), score_weights(number)
    times = clock.times_of_day(rng, number, count, HOUR if number == 0 else 0)
    out = []
    for response_id, at in enumerate(times, first_id):
        score = rng.choices(range(11), weights)[0]
        comment = rng.choice(COMMENTS[category(score)]) if rng.random() < 0.6 else None
        out.append(Response(response_id, (at,), 1 + int(pool * rng.random()), score, comment))
    return tuple(out)
