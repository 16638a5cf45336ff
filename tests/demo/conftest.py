"""Fixtures for the demo shop: one pinned instant, so every assertion sees the same history.

The instant sits mid-October 2026, six weeks after opening, with orders still in flight on its
last days, so both settled and changing records are in view.
"""

from __future__ import annotations

import pytest

from pipeline_platform.demo.api import DemoApi

AS_OF = "2026-10-15T12:00:00+00:00"


@pytest.fixture(scope="session")
def api():
    with DemoApi(port=0, as_of=AS_OF) as running:
        yield running
