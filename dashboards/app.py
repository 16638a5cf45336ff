"""The demo shop dashboard: headline KPIs, daily revenue and NPS, top customers, from the marts only.

Served through the platform's entry wrapper (``pipeline_platform/dashboard/entry.py``, named by the
dbt exposure `dashboard`: ``meta.streamlit``); this file is the page script.
Stable hooks for tests, never rename without updating ``tests/dashboard_app``:
widget key ``pp_date_range`` (date input, label "Date range"); metrics labelled "Revenue", "Orders",
"NPS"; container keys (CSS class ``st-key-<key>`` in the browser) ``pp_kpis``, ``pp_revenue_chart``,
``pp_nps_chart``, ``pp_top_customers``, ``pp_data_as_of``, ``pp_empty_warehouse``, ``pp_db_error``;
session key ``_pp_default_range`` (the default last applied).
"""

from __future__ import annotations

import pp_charts
import pp_kpis
import pp_warehouse
import sqlalchemy as sa
import streamlit as st

BUILD_HINT = "Build them with `make run` (or materialize the dbt assets in Dagster), then reload this page."


def _picked_range(default):
    """The chosen range; one the user never changed follows the data when a new build moves it."""
    state = st.session_state
    if "pp_date_range" in state and state.get("_pp_default_range") not in (None, default):
        if tuple(state["pp_date_range"]) == state["_pp_default_range"]:
            state["pp_date_range"] = default
    state["_pp_default_range"] = default
    picked = st.date_input("Date range", value=default, key="pp_date_range")
    picked = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    if not picked:
        return default
    return picked[0], picked[-1]


def _kpis(revenue, nps, start, end) -> None:
    values = pp_kpis.headline(revenue, nps, start, end)
    with st.container(key="pp_kpis", horizontal=True):
        for name, label in (("revenue", "Revenue"), ("orders", "Orders"), ("nps", "NPS")):
            value, delta = pp_kpis.display(name, *values[name])
            st.metric(label, value, delta, border=True, delta_description="vs previous period")


def main() -> None:
    st.set_page_config(page_title="Demo shop dashboard", layout="wide")
    st.title("Demo shop")
    try:
        info = pp_warehouse.build_info()
        if info is None:
            with st.container(key="pp_empty_warehouse"):
                st.info(f"The warehouse has no marts yet (schema `marts` is not built). {BUILD_HINT}")
            return
        version = info["data_version"]
        revenue, nps = pp_warehouse.daily_revenue(version), pp_warehouse.daily_nps(version)
        customers = pp_warehouse.top_customers(version)
    except sa.exc.SQLAlchemyError as exc:
        cause = type(getattr(exc, "orig", None) or exc).__name__
        with st.container(key="pp_db_error"):
            st.error(
                f"Could not read the marts ({cause}). If a pipeline run is "
                "rebuilding them, reload in a moment; otherwise check `PIPELINE_DATABASE_URL`."
            )
        return
    with st.container(key="pp_data_as_of"):
        st.caption(pp_kpis.as_of_line(info))
    default = pp_kpis.default_range(revenue, nps)
    if default is None:
        with st.container(key="pp_empty_warehouse"):
            st.info(f"The marts exist but hold no rows yet. {BUILD_HINT}")
        return
    start, end = _picked_range(default)
    _kpis(revenue, nps, start, end)
    in_range = (revenue["day"] >= start) & (revenue["day"] <= end)
    nps_in_range = (nps["day"] >= start) & (nps["day"] <= end)
    left, right = st.columns(2)
    with left, st.container(key="pp_revenue_chart"):
        pp_charts.revenue_chart(revenue[in_range])
    with right, st.container(key="pp_nps_chart"):
        pp_charts.nps_chart(nps[nps_in_range])
    with st.container(key="pp_top_customers"):
        st.subheader("Top customers by lifetime value")
        st.dataframe(customers, hide_index=True, column_config=pp_charts.customer_columns())


main()
