"""The ``slack`` resource: dagster-slack's ``SlackResource`` plus routing, a base URL and retries.

Channel, test channel and API base URL fall back to environment settings read per message, so a
test (or a staging deploy) reroutes every alert by setting one variable. Slack being slow or down
must never fail a pipeline run: ``post`` retries 5xx, connection errors and 429 (honouring
``Retry-After``) with exponential backoff inside a bounded wait, then raises ``AlertNotDelivered``
for the caller, which keeps the message pending for the next sensor tick.
"""

from __future__ import annotations

import time

import dagster as dg
from dagster_slack import SlackResource
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from pipeline_platform.automation.settings import setting
from pipeline_platform.resources.retry_after import retry_after


class AlertNotDelivered(RuntimeError):
    """Slack did not accept the message within the retry budget."""


def _retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            return retry_after(value[0] if isinstance(value, list) else value)
    return None


class PlatformSlack(SlackResource):
    """Empty fields fall back to PIPELINE_SLACK_CHANNEL / _TEST_CHANNEL / _BASE_URL (see settings)."""

    channel: str = ""
    test_channel: str = ""
    base_url: str = ""
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 20.0
    timeout_seconds: int = 10

    @classmethod
    def _is_dagster_maintained(cls) -> bool:
        return False

    def target_channel(self) -> str:
        return (
            self.test_channel or setting("PIPELINE_SLACK_TEST_CHANNEL")
            or self.channel or setting("PIPELINE_SLACK_CHANNEL")
        )

    def resolved_token(self) -> str | None:
        """The token; also works on the unbuilt resource the sensors hold (an ``EnvVar``)."""
        return self.token.get_value() if isinstance(self.token, dg.EnvVar) else self.token

    def get_client(self) -> WebClient:
        base = self.base_url or setting("PIPELINE_SLACK_BASE_URL")
        return WebClient(
            token=self.resolved_token(), base_url=base.rstrip("/") + "/", timeout=self.timeout_seconds, retry_handlers=[]
        )

    def post(self, text: str) -> None:
        """Send ``text`` to the target channel, or raise ``AlertNotDelivered`` after the retries."""
        client, delay, waited, last = self.get_client(), self.backoff_seconds, 0.0, ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                client.chat_postMessage(channel=self.target_channel(), text=text, unfurl_links=False)
                return
            except SlackApiError as exc:
                status = exc.response.status_code
                data = exc.response.data
                last = f"HTTP {status} {data.get('error', '') if isinstance(data, dict) else ''}".strip()
                if status == 429:
                    wait = _retry_after(exc) or delay
                elif status >= 500:
                    wait = delay
                else:  # 4xx / ok=false (bad token, unknown channel): retrying now cannot help
                    raise AlertNotDelivered(f"Slack refused the message ({last})") from exc
            except Exception as exc:  # connection refused, timeout, unparsable body
                last, wait = f"{type(exc).__name__}: {exc}", delay
            if attempt == self.max_attempts or waited + wait > self.max_wait_seconds:
                break
            time.sleep(wait)
            waited, delay = waited + wait, delay * 2
        raise AlertNotDelivered(f"Slack unavailable after {attempt} attempt(s), {waited:.1f}s waited ({last})")
