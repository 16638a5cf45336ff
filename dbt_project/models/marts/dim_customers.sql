{#
    Customer grain with an order summary. Counted orders: the revenue set (neither soft-deleted nor
    cancelled, macros/customer_order_totals.sql).

    Incremental, delete+insert on customer_id: a run re-selects only the customers its window
    touched (their own row changed, or one of their orders changed or was soft-deleted:
    macros/touched.sql) and recounts their orders from fct_orders, which the same build has
    already brought up to date. Everyone else's summary cannot have changed, so the table equals a
    full rebuild (tests/dbt_project/test_incremental_marts.py) at the cost of the day, not of the
    history. The first build, or --full-refresh, selects every customer.
#}
{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        indexes=[{'columns': ['customer_id'], 'unique': True}],
    )
}}

-- depends_on: {{ source('raw', 'orders') }}
with

{{ customer_totals_ctes() }}

select
    c.customer_id,
    c.name,
    c.email,
    c.country,
    c.signup_date,
    o.first_order_date,
    coalesce(o.orders, 0)::bigint as order_count
from {{ ref('stg_customers') }} as c
left join orders as o on o.customer_id = c.customer_id
{%- if is_incremental() %}
where c.customer_id in (select customer_id from touched)
{%- endif %}
