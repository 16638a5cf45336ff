"""Every pagination style of the API yields each record of a window exactly once, in order."""

from __future__ import annotations

import re

import pytest
import requests

from pipeline_platform.demo import shop
from tests.demo.conftest import AS_OF

WINDOW = {"updated_since": "2026-09-20T00:00:00+00:00", "updated_until": "2026-10-05T00:00:00+00:00"}
KEYS = {"orders": "order_id", "payments": "payment_id", "nps_responses": "response_id"}
MAX_PAGES = 1000  # far above any window here: a server that never says "last page" fails, not hangs


def expected(entity: str) -> list[int]:
    pk = KEYS[entity]
    return [r[pk] for r in shop.state_as_of(entity, AS_OF, WINDOW["updated_since"], WINDOW["updated_until"])]


def pull(url: str, params: dict, pk: str) -> tuple[list[int], int]:
    """Follow next pages by the Link header; check the body agrees with it on every page."""
    seen, pages, session = [], 0, requests.Session()
    response = session.get(url, params=params, timeout=30)
    for _ in range(MAX_PAGES):
        response.raise_for_status()
        body = response.json()
        seen += [r[pk] for r in body["data"]]
        pages += 1
        assert body["total"] == len(expected_cache[url.rsplit("/", 1)[1]])
        link = response.headers.get("Link")
        assert (link is None) == (body["next_cursor"] is None)
        if link is None:
            return seen, pages
        style = "cursor" if "cursor" in params else "offset" if "limit" in params else "page"
        assert f"{style}=" in link
        response = session.get(re.fullmatch(r'<(.+)>; rel="next"', link).group(1), timeout=30)
    raise AssertionError(f"{url}: still a next page after {MAX_PAGES} pages")


expected_cache: dict = {}


@pytest.mark.parametrize("entity", ["orders", "payments", "nps_responses"])
@pytest.mark.parametrize("style", [{"page_size": 150}, {"page": 1, "page_size": 150}, {"limit": 150},
                                   {"offset": 0, "limit": 150}, {"cursor": "", "limit": 150}])
def test_every_style_returns_each_record_once(api, entity, style):
    expected_cache.setdefault(entity, expected(entity))
    want = expected_cache[entity]
    params = {**WINDOW, **style}
    seen, pages = pull(f"{api.url}/{entity}", params, KEYS[entity])
    assert seen == want and len(set(seen)) == len(seen)
    assert pages == -(-len(want) // 150) and pages > 2


def test_cursor_pages_follow_next_cursor_from_the_body(api):
    want, seen, params = expected_cache.setdefault("orders", expected("orders")), [], {**WINDOW, "limit": 999}
    for _ in range(MAX_PAGES):
        body = requests.get(f"{api.url}/orders", params=params, timeout=30).json()
        seen += [r["order_id"] for r in body["data"]]
        assert body["page"] is None
        if body["next_cursor"] is None:
            break
        params = {**WINDOW, "cursor": body["next_cursor"], "limit": 999}
    else:
        raise AssertionError(f"still a next_cursor after {MAX_PAGES} pages")
    assert seen == want


def test_page_style_reports_its_page_and_link(api):
    response = requests.get(f"{api.url}/orders", params={**WINDOW, "page": 2, "page_size": 50}, timeout=30)
    body = response.json()
    assert body["page"] == 2 and len(body["data"]) == 50
    assert body["data"][0]["order_id"] == expected_cache.setdefault("orders", expected("orders"))[50]
    link = response.headers["Link"]
    assert link.startswith(f"<{api.url}/orders?") and link.endswith('>; rel="next"')
    assert "page=3" in link and "page_size=50" in link and "updated_since=" in link and "updated_until=" in link
