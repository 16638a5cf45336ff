"""AppTest helpers: run the page script, read its metrics and what sits in its keyed containers."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard_app.marts_data import DASHBOARDS

TIMEOUT = 30


def shown(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def block_types(at: AppTest, key: str) -> list[str]:
    """Element types inside the container with this ``key`` (empty when there is none)."""
    def find(node):
        if getattr(node, "type", None) == "flex_container" and getattr(node, "key", None) == key:
            return node
        for child in getattr(node, "children", {}).values():
            if (hit := find(child)) is not None:
                return hit
    found = find(at._tree)
    return [] if found is None else [child.type for child in found.children.values()]


def run_page(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(DASHBOARDS / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at
