"""The product catalogue: fifty products on opening day, then a few price changes most days.

Orders must be priced at the price in force when they were placed, so the price history is a pure
function of the day too, and any instant's price list can be rebuilt without a database.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect
from functools import lru_cache

from pipeline_platform.demo import clock

CATALOGUE_SIZE = 50
CATEGORIES = {
    "Kitchen": ["Kettle", "Chef Knife", "Skillet", "Teapot", "Grinder"],
    "Garden": ["Trowel", "Planter", "Hose", "Pruner", "Watering Can"],
    "Office": ["Notebook", "Desk Lamp", "Fountain Pen", "Stapler", "Monitor Stand"],
    "Outdoor": ["Tent", "Backpack", "Lantern", "Camp Stove", "Sleeping Bag"],
    "Home": ["Blanket", "Candle", "Vase", "Cushion", "Wall Clock"],
}
_STYLES = ["Classic", "Compact", "Deluxe", "Eco", "Pro", "Nordic", "Urban", "Vintage", "Smart", "Mini"]
_PRODUCTS = [(c, n) for c, names in CATEGORIES.items() for n in names]
_lock = threading.Lock()
_tables: list[list[int]] = []  # price list (cents, index pid-1) at the start of each day


def describe(product_id: int) -> tuple[str, str]:
    """(name, category) of a product; fixed for its whole life."""
    category, noun = _PRODUCTS[(product_id - 1) % len(_PRODUCTS)]
    return f"{_STYLES[(product_id - 1) // len(_PRODUCTS) * 3 % len(_STYLES)]} {noun}", category


def _opening_prices() -> list[int]:
    rng = random.Random(f"products:{clock.SHOP_OPENED}")
    return [int(rng.uniform(5, 250)) * 100 + rng.choice([0, 49, 50, 95, 99]) for _ in range(CATALOGUE_SIZE)]


@lru_cache(maxsize=4096)
def price_changes(number: int) -> tuple[tuple[int, int, int], ...]:
    """(changed_at, product_id, new price in cents) on day ``number`` >= 1, in time order."""
    if number < 1:
        return ()
    rng = random.Random(f"products:{clock.day_date(number)}")
    base = price_table(number)
    changes = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        pid = rng.randint(1, CATALOGUE_SIZE)
        cents = max(199, int(base[pid - 1] * rng.uniform(0.85, 1.2)) // 100 * 100 + 99)
        changes.append((clock.time_of_day(rng, number), pid, cents))
    return tuple(sorted(changes))


def price_table(number: int) -> list[int]:
    """Prices in cents in force at the start of day ``number`` (opening prices on day 0)."""
    with _lock:
        if not _tables:
            _tables.append(_opening_prices())
    while len(_tables) <= number:
        day = len(_tables) - 1
        table = list(_tables[day])
        for _, pid, cents in price_changes(day):
            table[pid - 1] = cents
        with _lock:
            if len(_tables) == day + 1:
                _tables.append(table)
    return _tables[max(number, 0)]


def price_at(product_id: int, instant: int) -> int:
    """The unit price in cents an order placed at ``instant`` pays."""
    number = clock.day_of(instant)
    changes = [c for c in price_changes(number) if c[1] == product_id]
    done = changes[: bisect(changes, (instant, product_id, 1 << 62))]
    return done[-1][2] if done else price_table(number)[product_id - 1]


def products_on(number: int) -> list[tuple]:
    """CSV rows for day ``number``: products created or repriced, end-of-day state, by id."""
    if number == 0:
        start = clock.day_start(0)
        rows = {pid: (start + pid, c) for pid, c in enumerate(_opening_prices(), 1)}
    else:
        rows = {pid: (at, cents) for at, pid, cents in price_changes(number)}
    return [(pid, *describe(pid), f"{c // 100}.{c % 100:02d}", clock.iso(at)) for pid, (at, c) in sorted(rows.items())]
