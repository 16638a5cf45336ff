"""The API over real HTTP: window bounds, errors, the live clock and the cost of a large page."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import requests

from pipeline_platform.demo import shop
from pipeline_platform.demo.api import DemoApi
from tests.demo.conftest import AS_OF

WINDOW = {"updated_since": "2026-09-20T00:00:00+00:00", "updated_until": "2026-10-05T00:00:00+00:00"}


def test_window_bounds_over_http_are_half_open(api):
    rows = requests.get(f"{api.url}/nps_responses", params={"limit": 3}, timeout=30).json()["data"]
    edge = rows[1]["updated_at"]
    after = requests.get(f"{api.url}/nps_responses", params={"updated_since": edge, "limit": 1}, timeout=30).json()
    before = requests.get(f"{api.url}/nps_responses", params={"updated_until": edge}, timeout=30).json()
    assert after["data"][0]["response_id"] == rows[1]["response_id"]
    assert [r["response_id"] for r in before["data"]] == [rows[0]["response_id"]]


def test_last_page_has_no_link_and_health_answers(api):
    response = requests.get(f"{api.url}/orders", params={**WINDOW, "offset": 10**6}, timeout=30)
    assert response.json()["data"] == [] and "Link" not in response.headers
    assert requests.get(f"{api.url}/health", timeout=5).json() == {"status": "ok"}
    assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("query", [{"page": 1, "cursor": "x"}, {"cursor": "not-a-cursor"}, {"limit": 0},
                                   {"page_size": "ten"}, {"updated_since": "yesterday"}])
def test_bad_queries_get_400_with_a_reason(api, query):
    response = requests.get(f"{api.url}/orders", params=query, timeout=5)
    assert response.status_code == 400 and response.json()["error"]


def test_unknown_endpoint_is_404(api):
    assert requests.get(f"{api.url}/customers", timeout=5).status_code == 404


def test_live_server_reads_the_as_of_from_the_environment(monkeypatch):
    monkeypatch.setenv("PIPELINE_DEMO_AS_OF", "2026-09-03T00:00:00+00:00")
    with DemoApi(port=0) as live:
        body = requests.get(f"{live.url}/payments", params={"limit": 1}, timeout=10).json()
    assert body["total"] == len(shop.snapshot("payments", "2026-09-03T00:00:00+00:00"))
    assert 300 < body["total"] < 500


def test_a_5000_record_page_at_benchmark_scale_is_a_slice_of_one_built_window(monkeypatch):
    """What keeps a big page cheap, checked by what happens rather than by a clock: the window is
    rendered once, and every later page of it (any offset, any client) is a slice of that text."""
    built = []

    class Counted(shop.Snapshot):
        def __init__(self, *args):
            built.append(args[0])
            super().__init__(*args)

    monkeypatch.setattr(shop, "Snapshot", Counted)
    monkeypatch.setattr(shop, "_cache", OrderedDict())  # no window left over from another test
    with DemoApi(port=0, as_of=AS_OF, scale=10) as big:
        params = {"updated_since": "2026-10-01T00:00:00Z", "updated_until": "2026-10-04T00:00:00Z", "limit": 5000}
        session = requests.Session()
        first = session.get(f"{big.url}/orders", params=params, timeout=60).json()  # builds the window
        again = session.get(f"{big.url}/orders", params=params, timeout=60).json()
        later = requests.get(f"{big.url}/orders", params={**params, "offset": 5000}, timeout=60).json()
    assert built == ["orders"]
    assert first["total"] > 5000 and len(first["data"]) == 5000 and again == first
    assert later["data"][0] != first["data"][-1] and len(later["data"]) == min(5000, first["total"] - 5000)
