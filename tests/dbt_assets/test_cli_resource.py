"""The dbt CLI resource reports the same version as the executable it runs, without asking it."""

import re
import subprocess

from pipeline_platform.dbt.cli_resource import PlatformDbtCliResource, dbt_resource


def test_version_from_metadata_matches_the_executable():
    resource = dbt_resource()
    assert isinstance(resource, PlatformDbtCliResource)
    printed = subprocess.run([resource.dbt_executable, "--version"], capture_output=True, text=True, check=True).stdout
    assert str(resource._cli_version) == re.search(r"(\d+\.\d+\.\d+)", printed).group(1)


def test_each_invocation_hands_its_parse_state_to_the_next(tmp_path, monkeypatch):
    """The project's partial_parse.msgpack becomes the finished invocation's (dbt's own format)."""
    import types

    from pipeline_platform.dbt.parse_state import keep_parse_state

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    (tmp_path / "target" / "run-1").mkdir(parents=True)
    (tmp_path / "target" / "partial_parse.msgpack").write_bytes(b"parsed by make manifest")
    (tmp_path / "target" / "run-1" / "partial_parse.msgpack").write_bytes(b"parsed with the warehouse")
    invocation = types.SimpleNamespace(target_path=tmp_path / "target" / "run-1", project_dir=tmp_path)
    keep_parse_state(invocation)
    assert (tmp_path / "target" / "partial_parse.msgpack").read_bytes() == b"parsed with the warehouse"
    assert sorted(p.name for p in (tmp_path / "target").iterdir()) == ["partial_parse.msgpack", "run-1"]


def test_old_invocation_folders_beyond_the_newest_are_removed_once_a_day_old(tmp_path):
    """Past the newest ``keep`` folders, those over a day old go; younger ones (a run still going),
    the parse state, the prepared manifest and folders not named like an invocation always stay."""
    import os
    import time

    from pipeline_platform.dbt.target_folders import prune

    now = time.time()
    ages = {f"warehouse_models-{i:07x}-0abcdef": i * 3600 for i in range(40)}  # 0 h .. 39 h old
    for name, age in ages.items():
        (tmp_path / name / "compiled").mkdir(parents=True)
        os.utime(tmp_path / name, (now - age, now - age))
    (tmp_path / "partial_parse.msgpack").write_bytes(b"state")
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "notes-from-a-person").mkdir()
    os.utime(tmp_path / "notes-from-a-person", (now - 10 * 86400, now - 10 * 86400))

    removed = prune(tmp_path, keep=10, now=now)
    assert sorted(p.name for p in removed) == sorted(n for n, age in ages.items() if age > 24 * 3600)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {n for n, age in ages.items() if age <= 24 * 3600} | {
        "partial_parse.msgpack", "manifest.json", "notes-from-a-person"}
    assert prune(tmp_path, keep=10, now=now) == []  # the rest are younger than a day
    assert prune(tmp_path / "missing", now=now) == []
