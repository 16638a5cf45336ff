"""What the contract pins down about the marts' shape, and how to read it from the catalog.

The dashboard and other layers query ``marts.*`` by name, column and type; a model that silently
renamed a column or changed a materialization would break them without failing any data test.
"""

from __future__ import annotations

from .expected import rows

# marts relation -> (pg_class.relkind, columns in order), as docs/data-contract.md lists them
CONTRACT = {
    "fct_orders": ("r", "order_id customer_id product_id order_date ordered_at status quantity amount paid_amount updated_at"),
    "dim_customers": ("r", "customer_id name email country signup_date first_order_date order_count"),
    "mart_daily_revenue": ("r", "order_date orders revenue customers"),
    "mart_nps_daily": ("r", "response_date responses promoters passives detractors nps"),
    "customer_lifetime_value": ("r", "customer_id name country orders lifetime_value first_order_date last_order_date"),
    "mart_build_info": ("r", "data_version built_at data_as_of"),
}
TYPES = {  # the column types the contract pins down
    ("fct_orders", "order_date"): "date",
    ("mart_daily_revenue", "order_date"): "date", ("mart_daily_revenue", "orders"): "bigint",
    ("mart_daily_revenue", "revenue"): "numeric(14,2)", ("mart_daily_revenue", "customers"): "bigint",
    ("mart_nps_daily", "response_date"): "date", ("mart_nps_daily", "nps"): "numeric(6,2)",
    ("mart_nps_daily", "promoters"): "bigint", ("customer_lifetime_value", "orders"): "bigint",
    ("customer_lifetime_value", "lifetime_value"): "numeric(14,2)",
    ("customer_lifetime_value", "last_order_date"): "date", ("mart_build_info", "data_version"): "text",
    ("mart_build_info", "built_at"): "timestamp with time zone",
    ("mart_build_info", "data_as_of"): "timestamp with time zone",
}


def marts_relations(url: str) -> dict[str, tuple[str, str]]:
    """relname -> (relkind, space-separated columns in order) for every relation in ``marts`` that
    holds or shows rows (tables, views, materialized views; not the indexes of the incremental marts)."""
    found = rows(url, """
        SELECT c.relname, c.relkind, string_agg(a.attname, ' ' ORDER BY a.attnum)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = 'marts' AND c.relkind IN ('r', 'p', 'v', 'm') GROUP BY 1, 2""")
    return {name: (kind, cols) for name, kind, cols in found}


def marts_types(url: str) -> dict[tuple[str, str], str]:
    found = rows(url, """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'marts' AND a.attnum > 0 AND NOT a.attisdropped""")
    return {(rel, col): kind for rel, col, kind in found}
