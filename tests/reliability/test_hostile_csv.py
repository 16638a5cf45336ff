"""Issue 8, fault 5: every hostile CSV either loads exactly or fails naming file, line and cause.

Each corpus file is loaded as its own source into a table that already holds a committed row (the
staged upsert path) and, unless its header is refused before any COPY, into no table at all (the
direct COPY path, which falls back to the stage on a repeated key). All of them run in
one materialization, so the whole corpus costs one run; the per-file tests then check
what that file did: the exact stored values, or the error and a table exactly as it was before.
"""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from pipeline_platform.ingestion.load import table
from tests.ingestion.conftest import Platform
from tests.reliability.hostile_csv import COLUMNS, corpus

DAY = "2026-09-02"
INFERRED = {"id": "bigint", "name": "text", "amount": "numeric"}  # what inference makes of the seed row
SEED = (100, "seed", "9.99")
CASES = corpus()
LABEL = f"Hostile CSV corpus ({len(CASES)} files)"  # tries: loads (loaded table, plus empty table past the header)


def _entry(case) -> dict:
    return {"kind": "csv", "landing_glob": f"{case.name}/{case.name}_*.csv", "primary_key": ["id"],
            "columns": {} if case.inferred else COLUMNS, "expect_rows": False,
            "schema_drift": "add_columns" if case.inferred else "fail"}


def _copies(case) -> bool:
    """A file refused at its header never reaches COPY: the direct and staged paths cannot differ."""
    return case.line != 1


def _errors(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    found = {}
    for event in result.all_events:
        if event.is_step_failure:
            error, parts = event.step_failure_data.error, []
            while error is not None:
                parts.append(error.message)
                error = error.cause
            found[event.step_key] = "\n".join(parts)
    return found


def _snapshot(url: str, table: str) -> list[tuple] | None:
    """Every column (loader columns included) of every row, or None when the table does not exist."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", (f'raw."{table}"',)).fetchone()[0] is None:
            return None
        return conn.execute(f'SELECT * FROM raw."{table}" ORDER BY id').fetchall()


def _values(rows) -> list[tuple]:
    return [(r[0], r[1], None if r[2] is None else str(r[2])) for r in rows or []]


@pytest.fixture(scope="module")
def outcome(database_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    platform = Platform(database_url, tmp, tmp / "landing")
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        for case in CASES:  # the committed row a first load would leave (types as declared or inferred)
            conn.execute(f"DROP TABLE IF EXISTS raw.s_{case.name}, raw.e_{case.name}")
            table.ensure_table(conn, f"s_{case.name}", INFERRED if case.inferred else COLUMNS, ["id"])
            conn.execute(f"INSERT INTO raw.s_{case.name} (id, name, amount, _load_id) VALUES (%s, %s, %s, 0)", SEED)
    for case in CASES:
        (platform.landing / case.name).mkdir(parents=True)
        (platform.landing / case.name / f"{case.name}_{DAY}.csv").write_bytes(case.data)
    loaded = platform.sources({f"s_{c.name}": _entry(c) for c in CASES}, name="loaded.yaml")
    empty = platform.sources({f"e_{c.name}": _entry(c) for c in CASES if _copies(c)}, name="empty.yaml")
    before = {f"s_{c.name}": _snapshot(database_url, f"s_{c.name}") for c in CASES}
    result = platform.materialize([*loaded, *empty], partition_key=DAY)
    after = {f"{p}_{c.name}": _snapshot(database_url, f"{p}_{c.name}") for c in CASES for p in "se"[:1 + _copies(c)]}
    return platform, before, after, _errors(result)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_csv_loads_exactly_or_fails_clearly_without_a_partial_load(outcome, case, fault_tally):
    platform, before, after, errors = outcome
    loaded, empty = f"s_{case.name}", f"e_{case.name}"
    tables = [loaded, empty] if _copies(case) else [loaded]
    if case.rows is not None:
        want = {loaded: sorted([SEED, *case.rows]), empty: sorted(case.rows)}
        got = {t: _values(after[t]) for t in want}
        lost = sum(len(set(want[t]) - set(got[t])) for t in want)
        partial = 0
    else:
        lost = 0
        partial = int(after[loaded] != before[loaded]) + int(bool(after.get(empty)))
    duplicated = sum(len(rows) - len({r[0] for r in rows}) for rows in (after[t] or [] for t in tables))
    fault_tally.record(LABEL, tries=len(tables), lost=lost, duplicated=duplicated, partial=partial)
    assert (lost, duplicated, partial) == (0, 0, 0), (lost, duplicated, partial)
    if case.rows is not None:
        assert f"raw__{loaded}" not in errors and f"raw__{empty}" not in errors, errors.get(f"raw__{loaded}")
        assert got == want
        return
    for table in tables:
        message = errors.get(f"raw__{table}", "")
        assert f"{case.name}_{DAY}.csv: line {case.line}:" in message, message[:2000]
        assert case.cause in message, message[:2000]
        audit = platform.last_load(table)
        assert audit["status"] == "failed" and f"line {case.line}:" in audit["error"], audit
