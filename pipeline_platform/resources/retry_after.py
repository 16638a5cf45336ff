"""Reading an HTTP ``Retry-After`` header, for every client that backs off (API extracts, Slack).

Servers send either delta-seconds or an HTTP date. A client that understands only one form either
retries too early, and is throttled again, or fails on the other; so both clients share this one.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
