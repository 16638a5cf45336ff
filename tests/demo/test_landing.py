"""Daily CSV drops: contract headers, one file per entity and finished day, never rewritten."""

from __future__ import annotations

import csv
import subprocess
import sys

import requests

from pipeline_platform.demo import landing
from pipeline_platform.demo.contract import COLUMNS

AS_OF = "2026-09-05T08:00:00+00:00"


def read(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_files_carry_the_contract_header_and_are_written_once(tmp_path):
    written = landing.land_days(tmp_path, "2026-09-01", "2026-09-10", as_of=AS_OF)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == sorted(f"{e}/{e}_2026-09-0{d}.csv" for e in ("customers", "products") for d in (1, 2, 3, 4))
    for path in written:
        assert read(path)[0] == COLUMNS[path.parent.name]
    before = {p: p.read_bytes() for p in written}
    assert landing.land_days(tmp_path, "2026-09-01", "2026-09-10", as_of=AS_OF) == []
    assert {p: p.read_bytes() for p in written} == before
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_missing_file_is_rewritten_byte_for_byte(tmp_path):
    landing.land_days(tmp_path, "2026-09-01", "2026-09-03", as_of=AS_OF)
    path = tmp_path / "customers" / "customers_2026-09-02.csv"
    original = path.read_bytes()
    path.unlink()
    assert landing.land_days(tmp_path, "2026-09-01", "2026-09-03", as_of=AS_OF) == [path]
    assert path.read_bytes() == original


def test_day_files_hold_that_days_creations_and_changes(tmp_path):
    landing.land_days(tmp_path, "2026-09-01", "2026-09-04", as_of=AS_OF)
    opening = read(tmp_path / "products" / "products_2026-09-01.csv")[1:]
    assert len(opening) == 50 and all(float(r[3]) > 0 for r in opening)
    day0 = read(tmp_path / "customers" / "customers_2026-09-01.csv")[1:]
    day3 = read(tmp_path / "customers" / "customers_2026-09-03.csv")[1:]
    for rows, day in ((day0, "2026-09-01"), (day3, "2026-09-03")):
        assert all(r[5].startswith(day) and r[5].endswith("+00:00") for r in rows)
    signed_up = [int(r[0]) for r in day3 if r[4] == "2026-09-03"]
    assert 15 <= len(signed_up) <= 40 and signed_up == list(range(signed_up[0], signed_up[0] + len(signed_up)))
    changed = [r for r in day3 if r[4] != "2026-09-03"]  # profile changes of earlier sign-ups
    assert changed and all(r[4] < "2026-09-03" and int(r[0]) < signed_up[0] for r in changed)


def test_cli_lands_files_and_serves_the_api(tmp_path):
    cmd = [sys.executable, "-m", "pipeline_platform.demo"]
    out = subprocess.run([*cmd, "land", "--landing", str(tmp_path), "--through", "2026-09-02"],
                         capture_output=True, text=True, check=True)
    assert "wrote 4 file(s)" in out.stdout
    assert (tmp_path / "products" / "products_2026-09-02.csv").exists()
    server = subprocess.Popen([*cmd, "serve", "--port", "0", "--as-of", AS_OF], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[4]
        body = requests.get(f"{url}/orders", params={"limit": 5}, timeout=10).json()
        assert len(body["data"]) == 5 and body["total"] > 500
    finally:
        server.terminate()
        assert server.wait(timeout=10) == 0
