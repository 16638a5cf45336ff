"""Everything the dashboard reads from the warehouse: one engine, the build info, the four marts.

Every page session of the server process shares one pooled engine; ``pool_pre_ping`` lets it
survive a Postgres restart. Mart queries are
cached by ``data_version`` (the dbt invocation that built the marts), read fresh on every rerun, so
a pipeline run shows up on the next page load with no TTL and no restart. The dashboard reads only
the marts named in ``docs/data-contract.md``.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from pipeline_platform.resources.warehouse import resolve_database_url, with_driver

MARTS = ("mart_daily_revenue", "mart_nps_daily", "customer_lifetime_value", "mart_build_info")
TOP_CUSTOMERS = 10

_MARTS_EXIST = sa.text(
    "SELECT " + " AND ".join(f"to_regclass('marts.{name}') IS NOT NULL" for name in MARTS)
)
_BUILD_INFO = sa.text(
    "SELECT data_version, data_as_of FROM marts.mart_build_info ORDER BY built_at DESC NULLS LAST LIMIT 1"
)


@st.cache_resource(show_spinner=False)
def engine() -> sa.Engine:
    """The process's one engine (pool of 5 + 5 overflow, see docs/deploy.md)."""
    url = with_driver(resolve_database_url(), "psycopg")
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_recycle=1800)


def build_info() -> dict | None:
    """``{"data_version", "data_as_of"}`` of the current build, or None when the marts are not built.

    Deliberately uncached: two one-row queries, run on every rerun and every HTTP check.
    """
    with engine().connect() as conn:
        if not conn.execute(_MARTS_EXIST).scalar():
            return None
        row = conn.execute(_BUILD_INFO).first()
    if row is None or row.data_version is None:
        return None
    return {"data_version": str(row.data_version), "data_as_of": row.data_as_of}


def _frame(sql: str, date_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    with engine().connect() as conn:
        df = pd.read_sql_query(sa.text(sql), conn)
    for column in date_columns:
        df[column] = pd.to_datetime(df[column]).dt.date
    return df


@st.cache_data(show_spinner=False, max_entries=4)
def daily_revenue(data_version: str) -> pd.DataFrame:
    """All days of revenue (one row a day: small); ``data_version`` is the cache key."""
    df = _frame(
        "SELECT order_date AS day, orders, revenue FROM marts.mart_daily_revenue ORDER BY order_date",
        ("day",),
    )
    return df.astype({"orders": "int64", "revenue": "float64"})


@st.cache_data(show_spinner=False, max_entries=4)
def daily_nps(data_version: str) -> pd.DataFrame:
    df = _frame(
        "SELECT response_date AS day, responses, promoters, detractors, nps"
        " FROM marts.mart_nps_daily ORDER BY response_date",
        ("day",),
    )
    return df.astype({"responses": "int64", "promoters": "int64", "detractors": "int64", "nps": "float64"})


@st.cache_data(show_spinner=False, max_entries=4)
def top_customers(data_version: str, limit: int = TOP_CUSTOMERS) -> pd.DataFrame:
    df = _frame(
        "SELECT customer_id, name, country, orders, lifetime_value, first_order_date, last_order_date"
        f" FROM marts.customer_lifetime_value ORDER BY lifetime_value DESC NULLS LAST, customer_id LIMIT {int(limit)}"
    )
    return df.astype({"lifetime_value": "float64"})
