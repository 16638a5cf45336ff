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

# Late changes for the incremental marts (tests/dbt_project/test_incremental_marts.py), on top of DAY3:
# each reaches back to a day (or customer) an earlier window already built.
LATE_DAY3 = [
    # customer 3 (signed up on day 2, no orders) changes name on day 3
    "UPDATE raw.customers SET name = 'Cyd', updated_at = '2026-09-03 09:00+00' WHERE customer_id = 3",
    # an NPS answer given on day 1 reaches the warehouse on day 3 (late arrival)
    "INSERT INTO raw.nps_responses VALUES (950, 2, 10, 'late', '2026-09-01 18:00+00', "
    "'2026-09-03 08:00+00', null, 1, now(), null)",
]
LATE_DAY4 = [
    # day 2 loses every counted order: 105 is cancelled and 104 soft-deleted on day 4
    "UPDATE raw.orders SET status = 'cancelled', updated_at = '2026-09-04 09:00+00' WHERE order_id = 105",
    "UPDATE raw.orders SET deleted_at = '2026-09-04 10:00+00', updated_at = '2026-09-04 10:00+00' "
    "WHERE order_id = 104",
    # a day-2 NPS answer is corrected on day 4 (0 -> 9)
    "UPDATE raw.nps_responses SET score = 9, updated_at = '2026-09-04 11:00+00' WHERE response_id = 908",
    # a day-1 NPS answer (901, score 9) is withdrawn on day 4: deleted_at set, updated_at moves
    "UPDATE raw.nps_responses SET deleted_at = '2026-09-04 12:00+00', updated_at = '2026-09-04 12:00+00' "
    "WHERE response_id = 901",
    # customer 3 places a first order on day 4
    "INSERT INTO raw.orders VALUES (108, 3, 11, 2, 25.00, 'placed', '2026-09-04 13:00+00', "
    "'2026-09-04 13:00+00', null, 1, now())",
]

LATE_DAY5 = [
    # day 2's answers are erased from the source: the load (run long after the day, as in a
    # backfill) marks them with its own wall-clock time and leaves updated_at alone, so only
    # _deleted_at says day 2 changed; the day is left with no live answers
    "UPDATE raw.nps_responses SET _deleted_at = '2026-12-01 06:00+00' WHERE response_id IN (907, 908, 909)",
]

NEGATIVE_DAY4 = [  # a sign error in the extract
    "INSERT INTO raw.orders VALUES (107, 1, 10, 1, -1000.00, 'placed', '2026-09-04 15:00+00', "
    "'2026-09-04 15:00+00', null, 1, now())",
]


def apply(url: str, statements: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
