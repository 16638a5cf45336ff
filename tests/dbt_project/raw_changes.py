"""What later days do to raw rows that earlier windows already built, as the loaders would write it.

Kept apart from the seed so each change reads as one business event with its day.
"""

from __future__ import annotations

import psycopg

DAY3 = [
    # order 100 (day 1) is cancelled on day 3
    "UPDATE raw.orders SET status = 'cancelled', updated_at = '2026-09-03 10:00+00' WHERE order_id = 100",
    # order 101 (day 1) is soft-deleted on day 3
    "UPDATE raw.orders SET deleted_at = '2026-09-03 11:00+00', updated_at = '2026-09-03 11:00+00' "
    "WHERE order_id = 101",
    # order 106 (day 1) is paid on day 3: the order row itself does not change
    "INSERT INTO raw.payments VALUES (504, 106, 5.00, 'card', '2026-09-03 12:00+00', "
    "'2026-09-03 12:00+00', 1, now())",
]

NEGATIVE_DAY4 = [  # a sign error in the extract
    "INSERT INTO raw.orders VALUES (107, 1, 10, 1, -1000.00, 'placed', '2026-09-04 15:00+00', "
    "'2026-09-04 15:00+00', null, 1, now())",
]


def apply(url: str, statements: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
