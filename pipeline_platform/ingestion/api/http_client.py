"""HTTP for API extracts: one session, timeouts, and retries that back off politely.

APIs throttle (429) and hiccup (5xx, dropped connections); a loader that gives up on the first blip
fails nightly, one that hammers back gets banned. So: exponential backoff with jitter, ``Retry-After``
honoured, a cap on attempts, then one clear error. Settings are a resource so tests use tiny
backoffs and deployments tune them without code. Auth headers live on the session only and never
appear in messages.
"""

from __future__ import annotations

import random
import threading

import dagster as dg
import requests
from urllib3.exceptions import HTTPError, ReadTimeoutError

from pipeline_platform.ingestion.api import json_body
from pipeline_platform.resources.retry_after import retry_after

RETRY_STATUS = {429, 500, 502, 503, 504}


class ApiError(RuntimeError):
    """An API request that failed for good; the message says which request and why."""


class HttpClientResource(dg.ConfigurableResource):
    """Retry and timeout settings for API extracts (resource key ``http``)."""

    timeout_seconds: float = 30.0
    max_retries: int = 5
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    max_retry_after_seconds: float = 300.0

    def client(self, headers: dict[str, str] | None = None, log=None) -> "HttpClient":
        return HttpClient(self, headers or {}, log)


class HttpClient:
    def __init__(self, settings: HttpClientResource, headers: dict[str, str], log=None):
        self.settings, self.log = settings, log
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", **headers})
        # Auth header values, and their tokens without the scheme: an API may echo them in an error body.
        self.secrets = sorted({p for v in headers.values() for p in (v, v.split(" ", 1)[-1]) if len(p) >= 4}, key=len)[::-1]
        self.closed = threading.Event()  # ends a retry wait early when the load is over

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def close(self) -> None:
        self.closed.set()
        self.session.close()

    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.max_backoff_seconds, s.backoff_seconds * 2**attempt) * random.uniform(0.5, 1.0)

    def get_json(self, url: str, params: dict | None = None) -> tuple[dict, bytes, requests.Response]:
        """GET and decode JSON (numbers exact, see ``json_body``); retries transient failures.

        The body is read in one call (``stream`` plus ``raw.read``): ``resp.content`` walks it in
        10 KB chunks through three layers of generators, which costs more CPU than parsing it."""
        s = self.settings
        shown = requests.Request("GET", url, params=params).prepare().url
        for attempt in range(s.max_retries + 1):
            if self.closed.is_set():
                raise ApiError(f"GET {shown}: not sent, the load already stopped")
            wait = None
            try:
                resp = self.session.get(url, params=params, timeout=s.timeout_seconds, stream=True)
                content = resp.raw.read(decode_content=True) if resp.status_code < 400 else None
            except (requests.Timeout, ReadTimeoutError):
                problem = f"no response within {s.timeout_seconds:g}s (timeout)"
            except (requests.RequestException, HTTPError) as exc:  # urllib3's, from the body read
                problem = f"connection error ({type(exc).__name__})"
            else:
                if resp.status_code in RETRY_STATUS:
                    resp.close()
                    problem, wait = f"HTTP {resp.status_code}", retry_after(resp.headers.get("Retry-After"))
                elif resp.status_code >= 400:
                    raise ApiError(f"GET {resp.url} failed: HTTP {resp.status_code}: {self.scrub(resp.text)[:200]!r}")
                else:
                    return self._decode(resp.url, content), content, resp
            if attempt == s.max_retries:
                raise ApiError(f"GET {shown} failed after {attempt + 1} attempts: {problem}")
            if wait is not None and wait > s.max_retry_after_seconds:
                raise ApiError(f"GET {shown}: {problem} with Retry-After {wait:g}s, above the {s.max_retry_after_seconds:g}s limit")
            delay = wait if wait is not None else self._backoff(attempt)
            if self.log:
                self.log.warning(f"GET {shown}: {problem}; retry {attempt + 1}/{s.max_retries} in {delay:.2f}s")
            if self.closed.wait(delay):
                raise ApiError(f"GET {shown}: abandoned, the load stopped while waiting to retry ({problem})")
        raise AssertionError("unreachable")

    @staticmethod
    def _decode(url: str, content: bytes) -> dict | list:
        try:
            body = json_body.loads(content)
        except ValueError as exc:
            raise ApiError(f"GET {url}: response body is not valid JSON (truncated?): {exc}") from None
        if not isinstance(body, (dict, list)):  # a list: the records themselves (records_field ".")
            raise ApiError(f"GET {url}: expected a JSON object or array, got {type(body).__name__}")
        return body
