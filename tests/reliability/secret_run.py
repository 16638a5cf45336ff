"""The secrets part of the ``make run`` test: marker secrets in, alert sensors ticked, leaks counted.

``make run`` has no daemon, so the real Slack alert sensors of the code location are ticked here,
in-process, against the run's own Postgres instance storage and a loopback Slack: the token is
really sent (the fake Slack checks it) and the alert text is searched like every other output.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dagster as dg
import psycopg

from tests.automation.conftest import FakeSlack
from tests.reliability.leak_search import search_database, search_files

REPO = Path(__file__).resolve().parents[2]
ROLE = "pp_marker_role"
SENSORS = ("slack_run_failure_alerts", "slack_check_failure_alerts")


class Secrets:
    """Distinct marker secrets, and the environment that carries them into ``make run``."""

    def __init__(self, admin_url: str, fake_slack: FakeSlack):
        tag = uuid.uuid4().hex[:12]
        self.db_password, self.api_token, self.slack_token = f"dbpw{tag}", f"apitok{tag}", f"xoxb-slack{tag}"
        self.markers = [self.db_password, self.api_token, self.slack_token]
        self.started = time.time()
        with psycopg.connect(admin_url, autocommit=True) as conn:  # the session server trusts its socket:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()  # the URL is the leak vector
            conn.execute(f"{'ALTER' if exists else 'CREATE'} ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{self.db_password}'")
        parts = urlsplit(admin_url)
        self.url = urlunsplit(parts._replace(netloc=f"{ROLE}:{self.db_password}@{parts.netloc.rsplit('@', 1)[-1]}"))
        self.slack = fake_slack
        self.env = {"PIPELINE_DATABASE_URL": self.url, "PIPELINE_DEMO_API_TOKEN": self.api_token,
                    "SLACK_BOT_TOKEN": self.slack_token, "PIPELINE_SLACK_BASE_URL": fake_slack.url}


class AlertTicker:
    """The code location's own Slack sensors, ticked against the instance ``make run`` wrote to."""

    def __init__(self, secrets: Secrets, state: Path, monkeypatch):
        from pipeline_platform.definitions import defs

        for key, value in secrets.env.items():
            monkeypatch.setenv(key, value)
        # Unset, the repo's dagster.yaml resolves the instance from the warehouse URL, as `make run` did.
        monkeypatch.delenv("DAGSTER_POSTGRES_URL", raising=False)
        self.defs, self.cursors = defs, {}
        self.instance = dg.DagsterInstance.from_config(str(state / "dagster_home"))

    def tick(self) -> None:
        for name in SENSORS:
            sensor = self.defs.resolve_sensor_def(name)
            context = dg.build_sensor_context(instance=self.instance, cursor=self.cursors.get(name), definitions=self.defs)
            result = sensor.evaluate_tick(context)
            self.cursors[name] = result.cursor or self.cursors.get(name)


def leaks(secrets: Secrets, admin_url: str, state: Path, outputs: list[str], log_text: str) -> dict[str, int]:
    """Every place a marker shows up: instance and warehouse tables, state folder files (compute
    logs, Streamlit and demo API logs), dbt's logs and target folders, CLI output, Slack texts."""
    found = search_database(admin_url, secrets.markers)
    found.update(search_files([state], secrets.markers))
    dbt = REPO / "dbt_project"
    found.update(search_files([dbt / "logs", dbt / "target"], secrets.markers, since=secrets.started))
    for where, text in [*((f"cli output {i}", o) for i, o in enumerate(outputs)), ("test-process logs", log_text),
                        *((f"slack message {i}", p["text"]) for i, p in enumerate(secrets.slack.posts))]:
        if n := sum(text.count(m) for m in secrets.markers):
            found[where] = n
    return found
