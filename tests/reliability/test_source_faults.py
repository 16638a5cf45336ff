"""Issue 8, fault 4: an API that throttles, fails, stalls, repeats records and changes shape mid-extract.

Each test drives the real ``raw/things`` asset against a scripted loopback API (``flaky_api``) and
measures the table afterwards: every key present, none twice, the newest version kept, and, when a
run must fail, the table exactly as it was before (a snapshot with the loader's own columns).
"""

from __future__ import annotations

import random

import psycopg
import pytest

from tests.ingestion.conftest import Platform, failure_message
from tests.reliability.flaky_api import FAULTS, FlakyApi
from tests.reliability.source_things import (
    DAY, HTTP, as_stored, entry, failure_message_of, newest, shift_and_revise, snapshot, stored, thing,
)



@pytest.fixture
def platform(clean_warehouse, tmp_path) -> Platform:
    return Platform(clean_warehouse, tmp_path, tmp_path)


@pytest.fixture
def api():
    server = FlakyApi([])
    yield server
    server.close()


@pytest.mark.slow
def test_flaky_api_over_200_requests_loads_complete_data_once_it_succeeds(platform, api, fault_tally):
    assets = platform.sources({"things": entry(api.url)})
    api.records = [thing(i, name="old", at=i) for i in range(1, 51)]
    assert platform.materialize(assets, partition_key=DAY, http=HTTP).success
    before = snapshot(platform)
    api.records = [thing(i) for i in range(1, 1201)]
    rng = random.Random(8)
    api.faults = [rng.choice(FAULTS) if rng.random() < 0.3 else None for _ in range(600)]
    api.faults[50:55] = ["503", "429-bare", "timeout", "500", "drop"]  # max_retries + 1 in a row: run 1 fails
    api.requests = 0
    runs, failed_clean = [], []
    while len(runs) < 5 and not (runs and runs[-1].success):
        result = platform.materialize(assets, partition_key=DAY, http=HTTP)
        runs.append(result)
        if not result.success:
            failed_clean.append(snapshot(platform) == before and "failed after 5 attempts" in failure_message(result)
                                and platform.last_load("things")["status"] == "failed")
    got = stored(platform)
    want = {r["thing_id"]: as_stored(r) for r in api.records}
    lost = len(set(want) - set(got)) + sum(got.get(k) not in (None, v) for k, v in want.items())
    count = platform.scalar("SELECT count(*) FROM raw.things")
    fault_tally.record("Flaky API: seeded 429/5xx/timeouts/drops/broken bodies over 200+ requests", tries=sum(api.injected.values()),
                       lost=lost, duplicated=count - len(got), partial=failed_clean.count(False),
                       detail=f"{api.requests} requests, {len(runs)} runs, {dict(api.injected)}")
    assert runs[-1].success, failure_message(runs[-1])
    assert (lost, count - len(got)) == (0, 0) and got == want
    assert len(failed_clean) >= 1 and all(failed_clean), "a run that exhausted its retries changed the table"
    assert api.requests >= 200 and set(api.injected) == set(FAULTS), (api.requests, api.injected)


@pytest.mark.parametrize("table", ["empty", "loaded"])
def test_record_repeated_on_two_pages_is_loaded_once_newest_version(platform, api, table, fault_tally):
    assets = platform.sources({"things": entry(api.url, style="offset")})
    api.records = [thing(i) for i in range(100, 4001, 100)]
    seed = {}
    if table == "loaded":
        api.records = [thing(r["thing_id"], name="seed", at=r["thing_id"] // 100) for r in api.records]
        assert platform.materialize(assets, partition_key=DAY, http=HTTP).success
        seed = stored(platform)
        api.records = [thing(i) for i in range(100, 4001, 100)]
    api.after_page = shift_and_revise
    result = platform.materialize(assets, partition_key=DAY, http=HTTP)
    served = list(api.served)
    repeated = len(served) - len({r["thing_id"] for r in served})
    want = {**seed, **newest(served)}
    got = stored(platform)
    count = platform.scalar("SELECT count(*) FROM raw.things")
    api.after_page = None
    rerun = platform.materialize(assets, partition_key=DAY, http=HTTP)
    settled = {**got, **{k: v for k, v in newest(api.records).items() if k not in got or v[2] > got[k][2]}}
    lost = len(set(want) - set(got)) + sum(got.get(k) not in (None, v) for k, v in want.items())
    lost += sum(stored(platform).get(k) != v for k, v in settled.items())
    fault_tally.record("API record repeated on two pages (offset shifting)", tries=repeated, lost=lost,
                       duplicated=count - len(got) + platform.scalar("SELECT count(*) - count(DISTINCT thing_id) FROM raw.things"))
    assert result.success and rerun.success, failure_message(result) + failure_message(rerun)
    assert repeated >= 3, "the server did not repeat records across pages"
    assert got == want and count == len(got)
    assert stored(platform) == settled


CHANGES = {  # page 3 of 3 (records 21-30) changes shape
    "new field": lambda rows: [{**r, "color": "red"} for r in rows],
    "removed field": lambda rows: [{k: v for k, v in r.items() if k != "price"} for r in rows],
    "type change": lambda rows: [{**r, "price": {"amount": r["price"], "currency": "EUR"}} for r in rows],
}
DRIFTS = [(change, policy) for change in CHANGES for policy in ("fail", "add_columns")]


@pytest.fixture(scope="module")
def drifted(database_url, tmp_path_factory):
    """Every (change, policy) pair as its own source and server, seeded, then changed, in two runs."""
    platform = Platform(database_url, tmp_path_factory.mktemp("drift"), tmp_path_factory.mktemp("landing"))
    servers = {key: FlakyApi([thing(i, name="seed", at=i) for i in range(1, 31)]) for key in DRIFTS}
    names = {key: f"drift_{i}" for i, key in enumerate(DRIFTS)}
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS " + ", ".join(f"raw.{n}" for n in names.values()))
    assets = platform.sources({names[k]: entry(s.url, schema_drift=k[1]) for k, s in servers.items()}, "drift.yaml")
    seeded = platform.materialize(assets, partition_key=DAY, http=HTTP)
    before = {key: snapshot(platform, names[key]) for key in DRIFTS}
    for (change, _), server in servers.items():
        server.records = [thing(i) for i in range(1, 31)]
        server.shape = lambda number, rows, change=change: CHANGES[change](rows) if number == 3 else rows
    result = platform.materialize(assets, partition_key=DAY, http=HTTP)
    errors = {e.step_key: failure_message_of(e) for e in result.all_events if e.is_step_failure}
    outcome = {key: {"name": names[key], "before": before[key], "after": snapshot(platform, names[key]),
                     "stored": stored(platform, names[key]), "error": errors.get(f"raw__{names[key]}"),
                     "audit": platform.last_load(names[key])["status"], "records": servers[key].records,
                     "colors": platform.scalar(f"SELECT count(color) FROM raw.{names[key]}") if key[0] == "new field"
                     and key[1] == "add_columns" else None} for key in DRIFTS}
    for server in servers.values():
        server.close()
    assert seeded.success, failure_message(seeded)
    return outcome


@pytest.mark.parametrize(("change", "policy"), DRIFTS, ids=[f"{c}-{p}" for c, p in DRIFTS])
def test_schema_change_between_pages_follows_the_drift_policy(drifted, change, policy, fault_tally):
    out = drifted[(change, policy)]
    loads = policy == "add_columns" and change != "type change"  # add_columns adds, it never retypes
    got = out["stored"]
    if loads:
        want = {r["thing_id"]: as_stored({**r, "price": "None" if change == "removed field" and r["thing_id"] > 20
                                          else r["price"]}) for r in out["records"]}
        lost, partial = len(set(want) - set(got)) + sum(got.get(k) not in (None, v) for k, v in want.items()), 0
    else:
        lost, partial = 0, int(out["after"] != out["before"])
    fault_tally.record(f"API schema change on page 3 ({change}, schema_drift: {policy})", lost=lost, partial=partial,
                       duplicated=len(out["after"] or []) - len(got))
    assert (lost, partial) == (0, 0), out["error"]
    if loads:
        assert out["error"] is None, out["error"]
        assert out["colors"] in (None, 10)  # a new field: its column holds page 3's ten values
        return
    field = {"new field": "['color']", "removed field": "['price']", "type change": "'price'"}[change]
    for part in (f"source '{out['name']}'", "page 3", field, f"schema_drift: {policy}"):
        assert part in (out["error"] or ""), (part, out["error"])
    assert out["audit"] == "failed"
