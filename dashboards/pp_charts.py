"""Vega-Lite charts and table columns for the page, apart from the layout so ``app.py`` stays a readable top-to-bottom page.

The charts are plain Vega-Lite specs, not Altair objects: every widget change reruns the page, and
with a warm data cache Altair's chart building and schema validation were half of a rerun. Days are
converted to timestamps before plotting: Vega-Lite's temporal axis wants datetimes, and the marts
hand us plain ``date`` objects.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st


def _timed(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(day=pd.to_datetime(df["day"]))


def _daily(title: str, mark: dict, field: str, label: str, fmt: str, count: str, scale: dict | None = None) -> dict:
    y = {"field": field, "type": "quantitative", "title": label, **({"scale": scale} if scale else {})}
    return {
        "title": title,
        "mark": mark,
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": None},
            "y": y,
            "tooltip": [{"field": "day", "type": "temporal", "title": "Day"},
                        {"field": field, "type": "quantitative", "format": fmt},
                        {"field": count, "type": "quantitative"}],
        },
    }


REVENUE = _daily("Daily revenue", {"type": "bar"}, "revenue", "Revenue", ",.2f", "orders")
NPS = _daily("Daily NPS", {"type": "line", "point": True}, "nps", "NPS", ".2f", "responses", {"domain": [-100, 100]})


def revenue_chart(revenue: pd.DataFrame) -> None:
    st.vega_lite_chart(_timed(revenue), REVENUE)


def nps_chart(nps: pd.DataFrame) -> None:
    st.vega_lite_chart(_timed(nps), NPS)


def customer_columns() -> dict:
    """``st.dataframe`` column config for ``customer_lifetime_value``."""
    return {
        "customer_id": st.column_config.NumberColumn("Customer", format="%d"),
        "name": "Name",
        "country": "Country",
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "lifetime_value": st.column_config.NumberColumn("Lifetime value", format="%.2f"),
        "first_order_date": st.column_config.DateColumn("First order"),
        "last_order_date": st.column_config.DateColumn("Last order"),
    }
