"""Both backing-off clients (API extracts, Slack alerts) read Retry-After in either form servers send."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from pipeline_platform.resources.retry_after import retry_after


@pytest.mark.parametrize("value, expected", [("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("", None), (None, None),
                                             ("soon", None)])
def test_delta_seconds_and_garbage(value, expected):
    assert retry_after(value) == expected


def test_http_date_is_seconds_from_now():
    assert 25 < retry_after(formatdate(time.time() + 30, usegmt=True)) <= 30
    assert retry_after(formatdate(time.time() - 60, usegmt=True)) == 0.0
