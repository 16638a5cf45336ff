"""Customers and products as of an instant, the CSV sources' counterpart of ``shop.state_as_of``.

The daily files only say what changed on a day; checks and tests that want "what did the shop
know at 10:00 on the 3rd" need the replayed state, event by event, without reading any files.
"""

from __future__ import annotations

from typing import Iterator

from pipeline_platform.demo import clock, customers, products
from pipeline_platform.demo.contract import COLUMNS


def _customer_events(number: int, scale: float) -> Iterator[tuple[int, tuple]]:
    for pk, name, email, country, signup, at in customers.created_on(number, scale):
        yield at, (pk, name, email, country, signup)
    for pk, email, country, at in customers.changed_on(number, scale):
        _, name, _, _, signup, _ = customers.lookup(pk, scale)
        yield at, (pk, name, email, country, signup)


def _product_events(number: int, scale: float) -> Iterator[tuple[int, tuple]]:
    if number == 0:
        for pid, cents in enumerate(products.price_table(0), 1):
            yield clock.day_start(0) + pid, (pid, cents)
    for at, pid, cents in products.price_changes(number):
        yield at, (pid, cents)


def _product_row(values: tuple) -> tuple:
    pid, cents = values
    return (pid, *products.describe(pid), f"{cents // 100}.{cents % 100:02d}")


def table_as_of(entity: str, as_of=None, updated_since=None, updated_until=None,
                scale: float = 1.0) -> list[dict]:
    """Latest state of every customer or product at ``as_of``, filtered to ``[since, until)`` on
    ``updated_at`` and ordered by (updated_at, primary key), with the contract's columns."""
    as_of = clock.resolve_as_of(as_of)
    since, until = (clock.to_epoch(v) if isinstance(v, str) or v is None else v for v in (updated_since, updated_until))
    events = _customer_events if entity == "customers" else _product_events
    latest: dict[int, tuple[int, tuple]] = {}
    for number in range(0, clock.day_of(as_of) + 1):
        for at, values in events(number, float(scale)):
            if at <= as_of and at >= latest.get(values[0], (0,))[0]:
                latest[values[0]] = (at, values)
    out = []
    for at, values in sorted(latest.values(), key=lambda e: (e[0], e[1][0])):
        if (since is None or at >= since) and (until is None or at < until):
            row = values if entity == "customers" else _product_row(values)
            out.append(dict(zip(COLUMNS[entity], (*row, clock.iso(at)))))
    return out
