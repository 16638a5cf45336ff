"""The ``slack`` resource: dagster-slack's ``SlackResource`` plus routing, a base URL and retries.

Channel, test channel and API base URL fall back to environment settings read per message, so a
test (or a staging deploy) reroutes every alert by setting one variable. Slack being slow or down
must never fail a pipeline run, nor hold a sensor tick past its timeout. Retries are slack_sdk's own
handlers (``RateLimitErrorRetryHandler`` for 429, ``ServerErrorRetryHandler`` for 5xx,
``ConnectionErrorRetryHandler`` for dropped connections), each given one shared budget: the
built-in 429 handler would sleep whatever ``Retry-After`` says (an hour, if Slack asks), the 5xx
one only knows 500 and 503, and neither knows about the other's waits. What does not fit the
budget raises ``AlertNotDelivered`` for the caller, which keeps the message pending for the next
sensor tick.
"""

from __future__ import annotations

import random
import time
from http.client import RemoteDisconnected
from urllib.error import URLError

import dagster as dg
from dagster_slack import SlackResource
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import BackoffRetryIntervalCalculator, Jitter, RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from pipeline_platform.automation.settings import setting
from pipeline_platform.resources.retry_after import retry_after


class AlertNotDelivered(RuntimeError):
    """Slack did not accept the message within the retry budget."""


class _WaitBudget:
    """Mixed into a slack_sdk handler: a retry happens only if its wait fits the request's budget.

    The budget lives in the request's ``RetryState``, which slack_sdk shares between the handlers of
    one request, so 429 and 5xx waits add up against the same cap."""

    def __init__(self, *args, max_wait_seconds: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_wait_seconds = max_wait_seconds

    def wait_for(self, state, response) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)

    def can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super().can_retry(state=state, request=request, response=response, error=error):
            return False
        state.custom_values = state.custom_values or {"waited": 0.0}
        wait = self.wait_for(state, response)
        if state.custom_values["waited"] + wait > self.max_wait_seconds:
            state.custom_values["over_budget"] = wait
            return False
        state.custom_values["next_wait"] = wait
        return True

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        wait = state.custom_values.pop("next_wait")
        state.next_attempt_requested = True
        time.sleep(wait)
        state.custom_values["waited"] += wait
        state.increment_current_attempt()


class _RateLimited(_WaitBudget, RateLimitErrorRetryHandler):
    def wait_for(self, state, response) -> float:
        """``Retry-After`` in either form (slack_sdk's own reads only whole seconds), else backoff."""
        for name, values in (response.headers if response is not None else {}).items():
            if name.lower() == "retry-after":
                seconds = retry_after(values[0] if isinstance(values, list) else values)
                if seconds is not None:
                    return seconds
        return super().wait_for(state, response)


class _ServerError(_WaitBudget, ServerErrorRetryHandler):
    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return response is not None and response.status_code >= 500  # the built-in: 500 and 503 only


class _ConnectionError(_WaitBudget, ConnectionErrorRetryHandler):
    def __init__(self, **kwargs):  # the built-in list misses refused connections and read timeouts
        super().__init__(error_types=[URLError, ConnectionError, RemoteDisconnected, TimeoutError], **kwargs)


class _ShareOfBackoff(Jitter):
    """50-100% of the backoff; slack_sdk's own jitter adds up to a whole second to every wait."""

    def recalculate(self, duration: float) -> float:
        return duration * random.uniform(0.5, 1.0)


def retry_handlers(max_attempts: int, backoff_seconds: float, max_wait_seconds: float) -> list[RetryHandler]:
    """slack_sdk handlers for 429, 5xx and connection errors, sharing one cap on the total wait."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=backoff_seconds, jitter=_ShareOfBackoff())
    retries = max(0, max_attempts - 1)
    return [
        cls(max_retry_count=retries, interval_calculator=backoff, max_wait_seconds=max_wait_seconds)
        for cls in (_RateLimited, _ServerError, _ConnectionError)
    ]


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

    def target_channel(self, channel: str | None = None) -> str:
        """The test channel if set, else the policy's channel, else the resource's default."""
        return (
            self.test_channel or setting("PIPELINE_SLACK_TEST_CHANNEL")
            or channel or self.channel or setting("PIPELINE_SLACK_CHANNEL")
        )

    def resolved_token(self) -> str | None:
        """The token; also works on the unbuilt resource the sensors hold (an ``EnvVar``)."""
        return self.token.get_value() if isinstance(self.token, dg.EnvVar) else self.token

    def get_client(self) -> WebClient:
        base = self.base_url or setting("PIPELINE_SLACK_BASE_URL")
        return WebClient(
            token=self.resolved_token(), base_url=base.rstrip("/") + "/", timeout=self.timeout_seconds,
            retry_handlers=retry_handlers(self.max_attempts, self.backoff_seconds, self.max_wait_seconds),
        )

    def post(self, text: str, channel: str | None = None) -> None:
        """Send ``text`` to ``channel`` (or the default), or raise ``AlertNotDelivered``."""
        try:
            self.get_client().chat_postMessage(channel=self.target_channel(channel), text=text, unfurl_links=False)
        except SlackApiError as exc:
            status = exc.response.status_code
            data = exc.response.data
            detail = f"HTTP {status} {data.get('error', '') if isinstance(data, dict) else ''}".strip()
            if status == 429 or status >= 500:
                raise AlertNotDelivered(f"Slack unavailable after the retry budget ({detail})") from exc
            raise AlertNotDelivered(f"Slack refused the message ({detail})") from exc  # bad token, unknown channel
        except Exception as exc:  # connection refused, timeout, unparsable body
            raise AlertNotDelivered(f"Slack unreachable after the retry budget ({type(exc).__name__}: {exc})") from exc
