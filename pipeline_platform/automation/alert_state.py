"""What an alert sensor remembers between ticks: where it stopped reading, what is unsent, and
which incidents are open.

Alerts are rendered once and queued in the sensor cursor; delivery pops them only after Slack
accepted them, so an outage delays alerts instead of losing them. A message that keeps failing is
dropped (and logged) after ``MAX_TRIES`` ticks, so one bad message cannot block the queue forever.
A condition that holds on every tick (a failing sensor, a stale asset) is an *incident*: it posts
when it opens or changes level and once more when it recovers, never on every tick.
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
    mark: int | str | dict | None = None  # storage id (event sensors), date (digest) or both per event type
    pending: list[dict] = field(default_factory=list)  # {"id", "text", "tries", "channel"}
    waiting: dict[str, float] = field(default_factory=dict)  # run id -> first seen, retry expected
    sent: list[str] = field(default_factory=list)
    open: dict[str, str] = field(default_factory=dict)  # incident key -> level

    @classmethod
    def load(cls, cursor: str | None) -> AlertState:
        return cls(**json.loads(cursor)) if cursor else cls()

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    def queue(self, alert_id: str, text: str, channels: list[str] | tuple[str, ...] = ("",)) -> None:
        """Queue ``text`` once per channel ("" is the Slack resource's default channel)."""
        for channel in channels:
            key = f"{alert_id}@{channel}" if channel else alert_id
            if key in self.sent or any(p["id"] == key for p in self.pending):
                continue
            self.pending.append({"id": key, "text": text, "tries": 0, "channel": channel})
        del self.pending[:-MAX_PENDING]

    def reconcile(self, scope: str, now_open: dict[str, str]) -> tuple[list[str], list[str]]:
        """Compare the incidents open now (key -> level) with those remembered under ``scope``.

        Returns (keys opened or changed level, keys recovered) and remembers ``now_open``."""
        prefix = scope + ":"
        changed = [k for k, level in now_open.items() if self.open.get(prefix + k) != level]
        recovered = [k[len(prefix):] for k in self.open if k.startswith(prefix) and k[len(prefix):] not in now_open]
        for key in recovered:
            del self.open[prefix + key]
        self.open.update({prefix + k: level for k, level in now_open.items()})
        return changed, recovered


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


def deliver(slack, state: AlertState, log=None) -> int:
    """Send pending alerts in order; stop at the first failure (Slack is down). Returns # sent.
    Failures go to this module's log (the daemon's output) and to ``log`` (a tick's log) if given."""
    sent = 0
    while state.pending:
        alert = state.pending[0]
        try:
            slack.post(alert["text"], alert.get("channel") or None)
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
            LOG.error(message)
            if log is not None:
                log.error(message)
            break
        state.pending.pop(0)
        state.sent = [*state.sent, alert["id"]][-SENT_MEMORY:]
        sent += 1
    return sent
