"""Timing and ratios: baseline and platform run alternately, so machine noise hits both sides alike.

A shared, noisy 2-core box makes absolute seconds meaningless between runs; interleaving the two
sides and reporting the median ratio (with min and max) is what stays comparable across machines.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

OPS = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(baseline: Callable, platform: Callable, repeats: int, reset: Callable[[str], None] | None = None,
            measure: Callable[[Callable], float] = timed) -> tuple[list[float], list[float]]:
    """Alternate baseline/platform ``repeats`` times (order flipped every round).

    ``reset(side)`` runs untimed before each measurement, with side ``"baseline"`` or ``"platform"``.
    """
    base, plat = [], []
    for i in range(repeats):
        order = [("baseline", baseline, base), ("platform", platform, plat)]
        for side, fn, out in order if i % 2 == 0 else order[::-1]:
            if reset:
                reset(side)
            out.append(measure(fn))
    return base, plat


def result(case: str, compared: str, base: list[float], plat: list[float], op: str, target: float,
           speedup: bool = False, sizes: dict | None = None, unit: str = "s", **extra) -> dict:
    """One report row. ``speedup`` flips the ratio to baseline/platform ("N x faster")."""
    ratios = [(b / p) if speedup else (p / b) for b, p in zip(base, plat)]
    median = statistics.median(ratios)
    return {
        "case": case, "compared": compared, "ratio": "baseline/platform" if speedup else "platform/baseline",
        "median": round(median, 3), "min": round(min(ratios), 3), "max": round(max(ratios), 3),
        "target": f"{op} {target}", "met": OPS[op](median, target), "repeats": len(ratios),
        "sizes": sizes or {}, "raw": {"unit": unit, "baseline": [round(x, 4) for x in base],
                                      "platform": [round(x, 4) for x in plat]}, **extra,
    }
