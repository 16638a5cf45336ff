{#
    Table: a full rebuild is cheap at customer grain and always consistent with fct_orders;
    incremental maintenance of first_order_date/order_count would buy nothing but edge cases.
    Counted orders: the revenue set (neither soft-deleted nor cancelled).
#}
with

orders as (
    {{ customer_order_totals() }}
)

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
