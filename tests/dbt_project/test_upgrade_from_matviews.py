"""A warehouse built before the daily marts became incremental still has them as materialized views.

dbt's incremental materialization would take such a relation for its target and fail on `alter
materialized_view ...`; `macros/incremental_over_matview.sql` drops it first, so the first build
after the upgrade turns both into tables with the right rows.
"""

from __future__ import annotations

import psycopg

from . import expected
from .raw_data import seed

OLD = {"mart_daily_revenue": "SELECT current_date AS order_date, 0::bigint AS orders",
       "mart_nps_daily": "SELECT current_date AS response_date, 0::bigint AS responses"}


def test_materialized_views_become_incremental_tables(database_url, dbt):
    seed(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA marts")
        for name, body in OLD.items():
            conn.execute(f"CREATE MATERIALIZED VIEW marts.{name} AS {body}")
    result = dbt("build")
    assert result.returncode == 0 and result.failed() == [], result.output[-3000:]
    kinds = expected.rows(database_url, "SELECT relname, relkind FROM pg_class WHERE relname IN "
                                        "('mart_daily_revenue', 'mart_nps_daily') ORDER BY 1")
    assert kinds == [("mart_daily_revenue", "r"), ("mart_nps_daily", "r")]
    assert expected.rows(database_url, "SELECT * FROM marts.mart_daily_revenue ORDER BY 1") == expected.daily_revenue(database_url)
    assert expected.rows(database_url, "SELECT * FROM marts.mart_nps_daily ORDER BY 1") == expected.nps_daily(database_url)
