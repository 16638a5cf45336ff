"""Shop customers: a launch import on opening day, ~25 sign-ups a day, and a few profile changes.

A profile change rewrites every mutable field (email and country) at once, so a customer's state
after a change depends only on the day it was created and the day it changed, never on the chain of
earlier edits: any day's CSV can be regenerated alone.
"""

from __future__ import annotations

import random
from functools import lru_cache

from pipeline_platform.demo import clock, volumes

FIRST = ["Ana", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam",
         "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wei", "Yara", "Zoe"]
LAST = ["Smith", "Garcia", "Muller", "Rossi", "Dubois", "Silva", "Novak", "Kim", "Jensen", "Ivanova",
        "Costa", "Weber", "Lopez", "Berg", "Moreau", "Sato", "Nowak", "Haddad", "Walsh", "Okafor"]
COUNTRIES = ["US", "DE", "GB", "FR", "NL", "ES", "IT", "SE", "PL", "CA"]
_COUNTRY_WEIGHTS = [30, 18, 14, 10, 6, 6, 6, 4, 3, 3]
_DOMAINS = ["example.com", "mail.example.org", "shopper.example.net"]
LAUNCH_IMPORT = 250  # customers migrated in on opening day, before the first order


@lru_cache(maxsize=16)
def ids(scale: float) -> volumes.IdRange:
    return volumes.IdRange("customers", 25, scale, first_day=LAUNCH_IMPORT)


def _country(rng: random.Random) -> str:
    return rng.choices(COUNTRIES, _COUNTRY_WEIGHTS)[0]


@lru_cache(maxsize=64)
def created_on(number: int, scale: float = 1.0) -> tuple[tuple, ...]:
    """(customer_id, name, email, country, signup_date, created_at) for sign-ups on day ``number``;
    the launch import lands in the first four minutes of opening day."""
    rng = random.Random(f"customers:{clock.day_date(number)}")
    first_id, count = ids(scale).first_id(number), ids(scale).count(number)
    if number == 0:
        times = [clock.day_start(0) + i * 240 // count for i in range(count)]
    else:
        times = clock.times_of_day(rng, number, count)
    rows = []
    for pk, at in enumerate(times, first_id):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{pk}@{rng.choice(_DOMAINS)}".lower()
        rows.append((pk, f"{first} {last}", email, _country(rng), str(clock.day_date(number)), at))
    return tuple(rows)


def lookup(customer_id: int, scale: float = 1.0) -> tuple:
    number = ids(scale).day_of_id(customer_id)
    return created_on(number, scale)[customer_id - ids(scale).first_id(number)]


@lru_cache(maxsize=256)
def changed_on(number: int, scale: float = 1.0) -> tuple[tuple, ...]:
    """(customer_id, email, country, changed_at) for profile changes on day ``number`` >= 1,
    picked among customers who signed up on earlier days."""
    if number < 1:
        return ()
    rng = random.Random(f"customer-changes:{clock.day_date(number)}")
    existing = ids(scale).first_id(number) - 1
    changes = {}
    for _ in range(max(1, round(3 * scale * rng.uniform(0.5, 1.5)))):
        pk = rng.randint(1, existing)
        name = lookup(pk, scale)[1].replace(" ", ".").lower()
        changes[pk] = (pk, f"{name}.{number}@{rng.choice(_DOMAINS)}", _country(rng), clock.time_of_day(rng, number))
    return tuple(sorted(changes.values()))


def customers_on(number: int, scale: float = 1.0) -> list[tuple]:
    """CSV rows for day ``number``: customers created or changed that day, end-of-day state, by id."""
    rows = {r[0]: r for r in created_on(number, scale)}
    for pk, email, country, at in changed_on(number, scale):
        created = rows.get(pk) or lookup(pk, scale)
        rows[pk] = (pk, created[1], email, country, created[4], max(at, created[5]))
    return [(*r[:5], clock.iso(r[5])) for _, r in sorted(rows.items())]
