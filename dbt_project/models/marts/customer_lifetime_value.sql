{#
    Table: customer grain, fully rebuilt from fct_orders each run so its totals always add up to
    mart_daily_revenue (same order set: neither soft-deleted nor cancelled). Customers without
    such orders are listed with 0.
#}
with

orders as (
    {{ customer_order_totals() }}
)

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
