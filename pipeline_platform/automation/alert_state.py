"""What an alert sensor remembers between ticks: where it stopped reading, and what is unsent.

Alerts are rendered once and queued in the sensor cursor; delivery pops them only after Slack
accepted them, so an outage delays alerts instead of losing them. A message that keeps failing is
dropped (and logged) after ``MAX_TRIES`` ticks, so one bad message cannot block the queue forever.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

import dagster as dg

from pipeline_platform.automation.settings import TOKEN_ENV

LOG = logging.getLogger(__name__)  # daemon output; context.log feeds the tick's log in the UI
MAX_TRIES = 50
MAX_PENDING = 200
SENT_MEMORY = 500


@dataclass
class AlertState:
    mark: int | str | None = None  # storage id (event sensors) or date (digest)
    pending: list[dict] = field(default_factory=list)  # {"id", "text", "tries"}
    waiting: dict[str, float] = field(default_factory=dict)  # run id -> first seen, retry expected
    sent: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, cursor: str | None) -> AlertState:
        return cls(**json.loads(cursor)) if cursor else cls()

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def queue(self, alert_id: str, text: str) -> None:
        if alert_id in self.sent or any(p["id"] == alert_id for p in self.pending):
            return
        self.pending.append({"id": alert_id, "text": text, "tries": 0})
        del self.pending[:-MAX_PENDING]


def skip_without_token(slack) -> dg.SkipReason | None:
    """A SkipReason saying what to set when the Slack token is missing, else None.

    The sensors hold the resource object itself rather than requiring the ``slack`` resource key:
    Dagster builds required resources before the sensor body runs, so an unset ``EnvVar`` would
    fail the tick instead of skipping it.
    """
    if slack.resolved_token():
        return None
    return dg.SkipReason(
        f"Slack alerts are off: set {TOKEN_ENV} (a bot token with chat:write) and optionally "
        "PIPELINE_SLACK_CHANNEL; nothing was read, so no alert is lost."
    )


def deliver(context: dg.SensorEvaluationContext, slack, state: AlertState) -> int:
    """Send pending alerts in order; stop at the first failure (Slack is down). Returns # sent."""
    sent = 0
    while state.pending:
        alert = state.pending[0]
        try:
            slack.post(alert["text"])
        except Exception as exc:
            alert["tries"] += 1
            if alert["tries"] >= MAX_TRIES:
                state.pending.pop(0)
                message = f"Slack alert {alert['id']} dropped after {MAX_TRIES} tries: {exc}"
            else:
                message = (
                    f"Slack alert {alert['id']} not delivered (try {alert['tries']}); "
                    f"{len(state.pending)} kept for the next tick: {exc}"
                )
            context.log.error(message)
            LOG.error(message)
            break
        state.pending.pop(0)
        state.sent = [*state.sent, alert["id"]][-SENT_MEMORY:]
        sent += 1
    return sent
