"""Every environment variable the automation layer reads, in one place, read only when called.

Nothing here runs at import: ``automation_defs()`` and the sensors call these functions, so the
code location loads with nothing configured and a changed variable takes effect on the next load
(schedules) or the next tick (alerts).

| variable | default | meaning |
|---|---|---|
| ``PIPELINE_INGEST_CRON`` | ``15 1 * * *`` | when the daily ingest schedule ticks |
| ``PIPELINE_MARTS_CRON`` | ``45 2 * * *`` | when the (off by default) marts schedule ticks |
| ``PIPELINE_TIMEZONE`` | ``UTC`` | timezone of both crons and of "previous day" |
| ``SLACK_BOT_TOKEN`` | unset (alerts skip) | bot token with ``chat:write`` |
| ``PIPELINE_SLACK_CHANNEL`` | ``#pipeline-alerts`` | where alerts go |
| ``PIPELINE_SLACK_TEST_CHANNEL`` | unset | if set, every message goes there instead |
| ``PIPELINE_SLACK_BASE_URL`` | ``https://slack.com/api/`` | Slack Web API base (tests: loopback) |
| ``PIPELINE_WEBSERVER_URL`` | ``http://127.0.0.1:3000`` | base of run and asset links in alerts |
| ``PIPELINE_ALERT_POLICIES`` | the shipped ``alert_policies.yaml`` | the alert policy file (``policies.py``) |
| ``PIPELINE_DIGEST_HOUR`` | ``8`` | hour (in ``PIPELINE_TIMEZONE``) after which the daily digest is sent |
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PIPELINE_INGEST_CRON": "15 1 * * *",
    "PIPELINE_MARTS_CRON": "45 2 * * *",
    "PIPELINE_TIMEZONE": "UTC",
    "PIPELINE_SLACK_CHANNEL": "#pipeline-alerts",
    "PIPELINE_SLACK_TEST_CHANNEL": "",
    "PIPELINE_SLACK_BASE_URL": "https://slack.com/api/",
    "PIPELINE_WEBSERVER_URL": "http://127.0.0.1:3000",
    "PIPELINE_DIGEST_HOUR": "8",
    "PIPELINE_ALERT_POLICIES": "",  # empty: the file shipped beside policies.py
}
TOKEN_ENV = "SLACK_BOT_TOKEN"


def setting(name: str) -> str:
    """The variable's value, or its documented default when unset or empty."""
    return os.environ.get(name) or DEFAULTS[name]


def webserver_url(path: str) -> str:
    """A page of the Dagster webserver, for links in alerts."""
    return f"{setting('PIPELINE_WEBSERVER_URL').rstrip('/')}/{path}"


def run_url(run_id: str) -> str:
    return webserver_url(f"runs/{run_id}")


def asset_url(path: list[str] | tuple[str, ...]) -> str:
    return webserver_url("assets/" + "/".join(path))
