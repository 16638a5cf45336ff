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
