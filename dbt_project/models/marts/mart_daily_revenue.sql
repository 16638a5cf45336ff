{#
    Materialized view: the dashboard reads it on every page view, so the aggregate is stored, and
    `dbt build` refreshes it right after fct_orders changed; there is no incremental state to
    get wrong. Revenue counts orders neither soft-deleted (absent from fct_orders) nor cancelled.
#}
{{ config(materialized='materialized_view') }}

select
    order_date,
    count(*)::bigint                    as orders,
    sum(amount)::numeric(14, 2)         as revenue,
    count(distinct customer_id)::bigint as customers
from {{ ref('fct_orders') }}
where status <> 'cancelled'
group by order_date
