"""No injection: hostile names from sources.yaml, CSV headers and API fields stay exactly-quoted names.

Table and column names reach SQL from three places a stranger may control (a YAML entry, the first
line of a landing file, the keys of a JSON record). Each hostile name must either be rejected before
anything runs, with an error naming it, or become a column spelled byte for byte as given, while a
bystander table (``raw.victim``) and every other table stay exactly as they were.
"""

from __future__ import annotations

import csv
import io

import psycopg
import pytest

from pipeline_platform.ingestion.config import SourceConfigError
from tests.ingestion.conftest import failure_message, landing, platform  # noqa: F401 (fixtures)
from tests.ingestion.fault_server import FaultServer

DAY1, DAY2 = "2026-09-01", "2026-09-02"
KEY = 'x"; DROP TABLE raw.victim; --'  # the primary key column
CURSOR = "select"  # a reserved word, as the cursor column
HOSTILE = [
    "Robert'); DROP TABLE raw.victim; --", "a.b", "with space", "Ünïcödé ✓ 名前", "UPPER Case",
    "100%s", "%(load_id)s", "{}", "back\\slash", "a" * 63, "é" * 31 + "x",  # the last two: exactly 63 bytes
]
PADDED = "  padded  "  # an API field keeps its spaces (CSV headers are trimmed: csv_header.check_names)
TOO_LONG = ["b" * 64, "é" * 32]  # 64 bytes: Postgres would silently truncate these
BAD_SOURCE_NAMES = [KEY, "Robert'); --", "raw.orders", "with space", "ünïcode", "n" * 64, "Orders", "1st", ""]


def cells(row_id: int, day: str) -> dict[str, str]:
    values = {KEY: str(row_id), CURSOR: f"{day}T10:00:00+00:00"}
    for i, name in enumerate(HOSTILE):
        values[name] = f"{day} v{row_id}.{i} {name!r} '); DROP TABLE raw.victim; --\n\"quoted\", ✓"
    return values


def csv_text(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(rows[0]))
    writer.writerows([list(r.values()) for r in rows])
    return out.getvalue()


def snapshot(url: str, skip: set[str]) -> dict[str, list]:
    """Every user table outside ``skip`` with all its rows, to prove nothing else was touched."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1").fetchall()
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}").fetchall())) for (t,) in tables if t not in skip}


def column_names(url: str, table: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(format('raw.%%I', %s::text)) "
            "AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_load%%' ORDER BY attnum", (table,))]


def table_rows(url: str, table: str, names: list[str]) -> list[tuple]:
    """Rows of ``raw.<table>`` as text, columns in ``names`` order, the cursor read back in UTC."""
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        select = ", ".join('"' + n.replace('"', '""') + '"::text' for n in names)
        return sorted(conn.execute(f'SELECT {select} FROM raw."{table}"').fetchall())


def as_stored(row: dict) -> tuple:
    """How a source row reads back as text: the cursor in Postgres' UTC rendering, the rest verbatim."""
    return tuple(value.replace("T", " ")[:-3] if name == CURSOR else value for name, value in row.items())


def missing(expected: list[tuple], found: list[tuple]) -> int:
    """Rows not found byte for byte (a multiset difference, so a duplicate does not hide a loss)."""
    left = list(found)
    lost = 0
    for row in expected:
        if row in left:
            left.remove(row)
        else:
            lost += 1
    return lost


@pytest.fixture
def victim(platform):
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw; CREATE TABLE raw.victim (id int PRIMARY KEY, note text)")
        conn.execute("INSERT INTO raw.victim VALUES (1, 'still here'), (2, 'me too')")
    return snapshot(platform.url, {"raw._loads"})


def test_hostile_source_names_are_rejected_at_definition_load(platform, fault_tally):
    messages = []
    for name in BAD_SOURCE_NAMES:
        with pytest.raises(SourceConfigError) as err:
            platform.sources({name: {"kind": "csv", "landing_glob": "x/*.csv", "load": "append"}}, name="bad.yaml")
        messages.append(str(err.value))
    fault_tally.record("Hostile identifiers (YAML, CSV header, API field)", tries=len(BAD_SOURCE_NAMES),
                       partial=len(snapshot(platform.url, set())))
    assert all("bad.yaml: source " in m and "(name)" in m and "[a-z_][a-z0-9_]*" in m for m in messages), messages
    assert snapshot(platform.url, set()) == {}, "a rejected source must not create anything"


@pytest.mark.parametrize("load", ["upsert", "append", "full_refresh"])
def test_hostile_yaml_columns_and_csv_headers_load_byte_for_byte(platform, victim, fault_tally, load):
    folder = platform.landing / "things"
    folder.mkdir()
    day1, day2 = [cells(1, DAY1), cells(2, DAY1)], [cells(2, DAY2), cells(3, DAY2)]  # row 2 changes on day 2
    (folder / f"things_{DAY1}.csv").write_text(csv_text(day1), encoding="utf-8")
    (folder / f"things_{DAY2}.csv").write_text(csv_text(day2), encoding="utf-8")
    columns = {KEY: "bigint", CURSOR: "timestamptz", **{name: "text" for name in HOSTILE}}
    entry = {"kind": "csv", "landing_glob": "things/things_*.csv", "load": load, "columns": columns,
             "primary_key": [] if load == "append" else [KEY], "cursor": CURSOR}
    if load == "full_refresh":
        entry["partitioned"] = "none"
    assets = platform.sources({"things": entry})
    days = [None] if load == "full_refresh" else [DAY1, DAY2]  # day 1 copies directly, day 2 via the stage
    runs = [platform.materialize(assets, partition_key=day) for day in days]
    expected = [as_stored(r) for r in (day1 + day2 if load == "append" else [day1[0], *day2])]
    found = table_rows(platform.url, "things", list(columns))
    lost = missing(expected, found)
    extra = max(0, len(found) - len(expected))
    touched = snapshot(platform.url, {"raw._loads", "raw.things"}) != victim
    fault_tally.record("Hostile identifiers (YAML, CSV header, API field)", tries=len(runs), lost=lost,
                       duplicated=extra, partial=int(touched))
    assert all(r.success for r in runs), "\n".join(failure_message(r) for r in runs)
    assert column_names(platform.url, "things") == list(columns)
    assert (lost, extra, touched) == (0, 0, False)


def api_record(i: int) -> dict:
    record = {KEY: i, "updated_at": f"{DAY1}T{i:02d}:00:00+00:00"}
    record.update({name: f"v{i} {name!r} '); DROP TABLE raw.victim; --" for name in HOSTILE})
    record[PADDED] = f"padded {i}"
    if i > 5:  # page 2 brings one more hostile field: schema drift mid-stream
        record['late "field"; --'] = f"late {i}"
    return record


def test_hostile_api_field_names_load_byte_for_byte(platform, victim, fault_tally):
    server = FaultServer()
    server.records = [api_record(i) for i in range(1, 13)]
    entry = {"kind": "api", "base_url": server.url, "endpoint": "/things", "primary_key": [KEY], "cursor": "updated_at",
             "pagination": {"style": "page", "page_size": 5}, "schema_drift": "add_columns"}
    try:
        assets = platform.sources({"things": entry})
        runs = [platform.materialize(assets, partition_key=DAY1) for _ in range(2)]  # a direct COPY, then an upsert
    finally:
        server.close()
    names = list(api_record(12))
    expected = [tuple(None if v is None else str(v).replace("T", " ")[:-3] if n == "updated_at" else str(v)
                      for n, v in ((n, r.get(n)) for n in names)) for r in server.records]
    found = table_rows(platform.url, "things", names)
    lost = missing(sorted(expected, key=repr), found)
    touched = snapshot(platform.url, {"raw._loads", "raw.things"}) != victim
    fault_tally.record("Hostile identifiers (YAML, CSV header, API field)", tries=len(runs), lost=lost,
                       duplicated=max(0, len(found) - len(expected)), partial=int(touched))
    assert all(r.success for r in runs), "\n".join(failure_message(r) for r in runs)
    assert sorted(column_names(platform.url, "things")) == sorted(names)
    assert (lost, len(found), touched) == (0, len(expected), False)


def test_names_longer_than_63_bytes_are_rejected_not_truncated(platform, victim, fault_tally):
    """Postgres cuts identifiers at 63 bytes without an error: two long headers would merge into one
    column and a long declared name would never match its own table again. So they are refused."""
    declared = []
    for name in TOO_LONG:
        with pytest.raises(SourceConfigError) as err:
            platform.sources({"things": {"kind": "csv", "landing_glob": "things/*.csv", "load": "append",
                                         "columns": {"id": "bigint", name: "text"}}})
        declared.append(str(err.value))
    folder = platform.landing / "things"
    folder.mkdir()
    (folder / f"things_{DAY1}.csv").write_text(csv_text([{"id": "1", TOO_LONG[0]: "a", TOO_LONG[1]: "b"}]))
    csv_run = platform.materialize(platform.sources({"things": {
        "kind": "csv", "landing_glob": "things/*.csv", "load": "append"}}), partition_key=DAY1)
    server = FaultServer()
    server.records = [{"id": 1, "updated_at": f"{DAY1}T01:00:00+00:00", TOO_LONG[1]: "x"}]
    try:
        api_run = platform.materialize(platform.sources({"things_api": {
            "kind": "api", "base_url": server.url, "endpoint": "/things", "load": "append"}}), partition_key=DAY1)
    finally:
        server.close()
    created = [t for t in snapshot(platform.url, {"raw._loads"}) if t not in victim]
    fault_tally.record("Hostile identifiers (YAML, CSV header, API field)", tries=len(TOO_LONG) + 2,
                       partial=len(created))
    assert all("63 bytes" in m and "columns" in m for m in declared), declared
    assert not csv_run.success and "63 bytes" in failure_message(csv_run) and TOO_LONG[0][:30] in failure_message(csv_run)
    assert not api_run.success and "63 bytes" in failure_message(api_run) and TOO_LONG[1][:30] in failure_message(api_run)
    assert created == [] and snapshot(platform.url, {"raw._loads"}) == victim
