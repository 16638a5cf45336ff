"""Altair charts and table columns for the page, apart from the layout so ``app.py`` stays a readable top-to-bottom page.

Days are converted to timestamps before plotting: Vega-Lite's temporal axis wants datetimes, and the
marts hand us plain ``date`` objects.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st


def _timed(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(day=pd.to_datetime(df["day"]))


def revenue_chart(revenue: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(_timed(revenue), title="Daily revenue")
        .mark_bar()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("revenue:Q", title="Revenue"),
            tooltip=[alt.Tooltip("day:T", title="Day"), alt.Tooltip("revenue:Q", format=",.2f"), "orders:Q"],
        )
    )


def nps_chart(nps: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(_timed(nps), title="Daily NPS")
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("nps:Q", title="NPS", scale=alt.Scale(domain=[-100, 100])),
            tooltip=[alt.Tooltip("day:T", title="Day"), alt.Tooltip("nps:Q", format=".2f"), "responses:Q"],
        )
    )


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
