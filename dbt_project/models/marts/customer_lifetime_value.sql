{#
    Customer grain: lifetime value over orders neither soft-deleted nor cancelled, so its totals
    add up to mart_daily_revenue (same order set). Customers without such orders are listed with 0.

    Incremental like dim_customers (delete+insert on customer_id, the customers the window
    touched, recounted from the up-to-date fct_orders): equal to a full rebuild at the cost of
    the day. The first build, or --full-refresh, selects every customer.
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
    c.country,
    coalesce(o.orders, 0)::bigint                  as orders,
    coalesce(o.lifetime_value, 0)::numeric(14, 2)  as lifetime_value,
    o.first_order_date,
    o.last_order_date
from {{ ref('stg_customers') }} as c
left join orders as o on o.customer_id = c.customer_id
{%- if is_incremental() %}
where c.customer_id in (select customer_id from touched)
{%- endif %}
