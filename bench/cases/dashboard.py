"""dashboard: a Streamlit rerun of the real page with a warm data cache vs a cold one (AppTest).

Every widget change reruns the whole script, so the warm path decides how the page feels; it should
cost a small fraction of the cold one (which queries the marts). Cold clears ``st.cache_data`` only:
the engine (``cache_resource``) survives a new build in a real server too. The marts come from one
``make run`` style build of the demo graph; ``--smoke`` skips the build and runs the page on an empty
warehouse, which checks the harness, not the page's speed.
"""

from __future__ import annotations

import os
import sys

from bench import demo_graph
from bench.harness import compare, result

NAME = "dashboard"
DASHBOARDS = demo_graph.REPO / "dashboards"


def run(ctx) -> list[dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    if not ctx.smoke:
        demo_graph.build(ctx)
    old = os.environ.get("PIPELINE_DATABASE_URL")
    os.environ["PIPELINE_DATABASE_URL"] = ctx.w.url
    sys.path.insert(0, str(DASHBOARDS))
    try:
        def page():
            at = AppTest.from_file(str(DASHBOARDS / "app.py"), default_timeout=60)
            at.run()
            if at.exception:
                raise RuntimeError(f"dashboard raised: {at.exception}")
            return at

        warm_page = page()

        def cold():
            st.cache_data.clear()
            page()

        def warm():
            warm_page.run()
            if warm_page.exception:
                raise RuntimeError(f"dashboard raised: {warm_page.exception}")

        base, plat = compare(cold, warm, ctx.repeats, reset=lambda side: side == "platform" and warm_page.run())
        if "pp_warehouse" in sys.modules:
            sys.modules["pp_warehouse"].engine().dispose()
    finally:
        sys.path.remove(str(DASHBOARDS))
        if old is None:
            os.environ.pop("PIPELINE_DATABASE_URL", None)
        else:
            os.environ["PIPELINE_DATABASE_URL"] = old
    sizes = {"marts": "empty (smoke)" if ctx.smoke else "demo, full history"}
    build = {"seconds": getattr(ctx, "_graph_seconds", None), "ok": getattr(ctx, "_graph_ok", None)}
    return [result(NAME, "rerun with warm cache vs cold cache", base, plat, "<=", 0.15, sizes=sizes,
                   graph_build=build)]
