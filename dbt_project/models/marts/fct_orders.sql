{#
    One row per live (not soft-deleted) order, cancelled ones included with their status.

    Incremental window: with min_date/max_date (half-open UTC days, a partition or a backfill
    range; vars by hand, environment from Dagster: see macros/utc_day.sql:in_window) only orders TOUCHED in the window are re-selected: the order
    row changed (updated_at), or one of its payments changed. That is exactly what the raw loads
    of those days brought in, so a status change or late payment on day D+2 for an order placed
    on day D lands in the D+2 run. Without a window every order is selected.

    Changes: delete+insert on order_id replaces each re-selected order with its current state
    (status, paid_amount). Cancelled orders are kept with status = 'cancelled' (the contract's
    grain is "order, not deleted"); marts that count revenue filter them out.

    Deletes: a soft-deleted order disappears from stg_orders, so no insert can remove it. The
    post-hook deletes, in the same transaction as the insert, every order soft-deleted in the window
    (macros/touched.sql: the deletion stamps updated_at, so it lands in the run of the day it
    happened, however old the order). Without a window that is every soft-deleted order. Keyed on
    the window, not an anti-join over the whole table, so a day's run costs the day. A row removed
    from raw outright (by hand: the loaders never delete) leaves nothing in any window; `dbt build
    --full-refresh` rebuilds from what raw holds.

    Indexes: order_id (delete+insert and the deletion find their rows without a scan), customer_id
    and order_date (the customer and daily marts recount only what the window touched), updated_at
    (the window's tests, _marts.yml, read the day's rows, not the history). Created with the table:
    an existing table gets them on `--full-refresh`.

    Concurrency: two builds of the same window at once (two runs of one partition) would both
    delete, then both insert: the second DELETE's snapshot cannot see the first build's fresh rows,
    so every re-selected order would end up twice. The platform's dbt step holds a build lock per
    model from before dbt starts until it exits (pipeline_platform/dbt/build_lock.py), so the second
    build waits for the first to finish and then replaces its rows
    (tests/reliability/test_concurrent_runs.py). It only serializes builds of this model; readers are
    never blocked.
#}
{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        indexes=[
            {'columns': ['order_id'], 'unique': True},
            {'columns': ['customer_id']},
            {'columns': ['order_date']},
            {'columns': ['updated_at']},
        ],
        post_hook=[
            "delete from {{ this }} where order_id in (
                select order_id from ({{ touched_orders() }}) as touched_orders where deleted)"
        ],
    )
}}

with

touched as (
    select order_id from {{ ref('stg_orders') }} where {{ in_window('updated_at') }}
    union
    select order_id from {{ ref('stg_payments') }} where {{ in_window('updated_at') }}
),

payments as (
    select order_id, sum(amount) as paid_amount
    from {{ ref('stg_payments') }}
    where order_id in (select order_id from touched)
    group by order_id
)

select
    o.order_id,
    o.customer_id,
    o.product_id,
    o.order_date,
    o.ordered_at,
    o.status,
    o.quantity,
    o.amount,
    coalesce(p.paid_amount, 0)::numeric(14, 2) as paid_amount,
    o.updated_at
from {{ ref('stg_orders') }} as o
left join payments as p on p.order_id = o.order_id
where o.order_id in (select order_id from touched)
