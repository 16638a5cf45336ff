"""Orders and their payments, each order's whole life drawn on the day it is placed.

Drawing the lifecycle up front (ship, deliver or cancel, sometimes a soft delete, the payment) keeps
every day independent, and lets the source show any instant by hiding the events after it: the
same order read at two instants differs only in what has happened yet.
"""

from __future__ import annotations

import random
from bisect import bisect
from functools import lru_cache
from typing import NamedTuple

from pipeline_platform.demo import clock, customers, memo, products, volumes

HOUR = 3600
MAX_LAG = 144 * HOUR  # latest event after ordered_at: shipped <= 48 h, delivered <= 96 h later
METHODS = ["card", "paypal", "bank_transfer", "gift_card"]
_METHOD_CUM = [0.62, 0.86, 0.96]  # card 62 %, paypal 24 %, bank transfer 10 %, gift card 4 %
_QUANTITIES = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 5]


class Order(NamedTuple):
    order_id: int
    times: tuple[int, ...]  # every event instant, ascending; times[0] = ordered_at
    customer_id: int
    product_id: int
    quantity: int
    cents: int
    ordered_at: int
    shipped_at: int  # 0 = never
    delivered_at: int
    cancelled_at: int
    deleted_at: int
    paid_at: int  # 0 = no payment (cancelled orders)
    method: str


@lru_cache(maxsize=16)
def ids(scale: float) -> volumes.IdRange:
    return volumes.IdRange("orders", 200, scale)


def customer_pool(number: int, scale: float) -> int:
    """Customers who can act on day ``number``: earlier sign-ups, or the launch import on day 0."""
    return customers.ids(scale).first_id(number) - 1 if number else customers.ids(scale).count(0)


@memo.per_day
def placed_on(number: int, scale: float = 1.0) -> tuple[Order, ...]:
    """Every order placed on day ``number``, in ``ordered_at`` order (ids follow it)."""
    rng = random.Random(f"orders:{clock.day_date(number)}")
    rand = rng.random
    first_id, count = ids(scale).first_id(number), ids(scale).count(number)
    pool, prices = customer_pool(number, scale), products.price_table(number)
    repriced = {pid for _, pid, _ in products.price_changes(number)}
    times = clock.times_of_day(rng, number, count, HOUR if number == 0 else 0)
    out = []
    for order_id, t0 in enumerate(times, first_id):
        customer_id = 1 + int(pool * rand() ** 1.4)
        product_id = 1 + int(products.CATALOGUE_SIZE * rand() ** 1.6)
        quantity = _QUANTITIES[int(rand() * len(_QUANTITIES))]
        price = products.price_at(product_id, t0) if product_id in repriced else prices[product_id - 1]
        shipped = delivered = cancelled = deleted = paid = 0
        if rand() < 0.06:
            cancelled = t0 + 600 + int(rand() * 29 * HOUR)
            events = (t0, cancelled)
        else:
            shipped = t0 + 12 * HOUR + int(rand() * 36 * HOUR)
            delivered = shipped + 24 * HOUR + int(rand() * 72 * HOUR)
            paid = t0 + (20 + int(rand() * 1780) if rand() < 0.85 else 4 * HOUR + int(rand() * 16 * HOUR))
            events = (t0, shipped, delivered)
        method = METHODS[bisect(_METHOD_CUM, rand())]
        if rand() < 0.03:  # soft delete a day or two later; nothing happens to the order after it
            deleted = t0 + 24 * HOUR + int(rand() * 24 * HOUR)
            shipped, delivered, cancelled = (t if t < deleted else 0 for t in (shipped, delivered, cancelled))
            events = (*(t for t in events if t < deleted), deleted)
        out.append(Order(order_id, events, customer_id, product_id, quantity, quantity * price, t0,
                         shipped, delivered, cancelled, deleted, paid, method))
    return tuple(out)


def status(order: Order, as_of: int) -> str:
    if 0 < order.cancelled_at <= as_of:
        return "cancelled"
    if 0 < order.delivered_at <= as_of:
        return "delivered"
    return "shipped" if 0 < order.shipped_at <= as_of else "placed"
