"""API records rendered straight to JSON text, one f-string per record.

A benchmark pulls a million records through the API; building a dict per record and handing it to
``json`` costs several times more than formatting the text directly. Every value is either a
number, an ISO timestamp, or a string from a fixed vocabulary escaped once at import, so no
per-record escaping is needed. Amounts are written as exact decimals (``12.30``), never floats.
"""

from __future__ import annotations

import json
from typing import Callable, NamedTuple

from pipeline_platform.demo import nps, orders
from pipeline_platform.demo.clock import iso

_QUOTED = {text: json.dumps(text) for text in [*orders.METHODS, *sum(nps.COMMENTS.values(), [])]}
_QUOTED[None] = "null"


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def order(o: orders.Order, as_of: int, updated: int) -> str:
    deleted = f'"{iso(o.deleted_at)}"' if 0 < o.deleted_at <= as_of else "null"
    return (f'{{"order_id":{o.order_id},"customer_id":{o.customer_id},"product_id":{o.product_id},'
            f'"quantity":{o.quantity},"amount":{money(o.cents)},"status":"{orders.status(o, as_of)}",'
            f'"ordered_at":"{iso(o.ordered_at)}","updated_at":"{iso(updated)}","deleted_at":{deleted}}}')


def payment(o: orders.Order, as_of: int, updated: int) -> str:
    paid = iso(o.paid_at)
    return (f'{{"payment_id":{o.order_id},"order_id":{o.order_id},"amount":{money(o.cents)},'
            f'"method":{_QUOTED[o.method]},"paid_at":"{paid}","updated_at":"{paid}"}}')


def response(r: nps.Response, as_of: int, updated: int) -> str:
    at = iso(r.times[0])
    return (f'{{"response_id":{r.response_id},"customer_id":{r.customer_id},"score":{r.score},'
            f'"comment":{_QUOTED[r.comment]},"responded_at":"{at}","updated_at":"{at}"}}')


class Entity(NamedTuple):
    ids: Callable  # scale -> clock.IdRange
    day: Callable  # (day number, scale) -> records placed that day
    lag: int  # seconds from a record's first event to its last
    times: Callable  # record -> event instants, ascending (empty: never exists)
    render: Callable  # (record, as_of, updated_at) -> JSON object text


ENTITIES = {
    "orders": Entity(orders.ids, orders.placed_on, orders.MAX_LAG, lambda o: o.times, order),
    "payments": Entity(orders.ids, orders.placed_on, 20 * orders.HOUR,
                       lambda o: (o.paid_at,) if o.paid_at else (), payment),
    "nps_responses": Entity(nps.ids, nps.answered_on, 0, lambda r: r.times, response),
}
