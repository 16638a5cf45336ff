"""The watchdog's code-location check: a location that fails to load alerts once, then recovers."""

from __future__ import annotations

import dagster as dg

from pipeline_platform.automation.policies import load_policies
from pipeline_platform.automation.slack import PlatformSlack
from pipeline_platform.automation.watchdog import check_once

SLACK = PlatformSlack(token=dg.EnvVar("SLACK_BOT_TOKEN"), backoff_seconds=0.05, max_wait_seconds=3)
BROKEN = 'import dagster as dg\nraise KeyError("sources.yaml: line 3: unknown source kind \'ftp\'")\n'
FIXED = "import dagster as dg\n\n@dg.asset\ndef ok(): ...\n\ndefs = dg.Definitions(assets=[ok])\n"


def test_code_location_that_fails_to_load_alerts_once_then_recovers(fake_slack, instance, tmp_path):
    (tmp_path / "team_defs.py").write_text(BROKEN)
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text("load_from:\n  - python_file:\n      relative_path: team_defs.py\n      location_name: team_location\n")
    (tmp_path / "policies.yaml").write_text("policies:\n  - trigger: code_location_error\n    channel: '#platform'\n")
    policies = load_policies(tmp_path / "policies.yaml")
    check_once(instance, SLACK, policies, workspace)
    check_once(instance, SLACK, policies, workspace)  # still broken: no second message
    [post] = fake_slack.posts
    assert "Code location failed to load" in post["text"] and "`team_location`" in post["text"]
    assert "unknown source kind 'ftp'" in post["text"] and post["channel"] == "#platform"
    (tmp_path / "team_defs.py").write_text(FIXED)
    check_once(instance, SLACK, policies, workspace)
    assert len(fake_slack.posts) == 2 and "code location `team_location` loads again" in fake_slack.posts[1]["text"]


def test_watchdog_without_a_token_skips_and_says_what_to_set(monkeypatch, instance, tmp_path):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert "SLACK_BOT_TOKEN" in check_once(instance, SLACK, load_policies(), tmp_path / "workspace.yaml")
