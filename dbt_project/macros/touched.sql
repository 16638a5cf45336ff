{#
    What the run's window changed, as the keys the incremental marts re-select (delete+insert):
    orders whose row changed in the window, soft-deleted ones included (a deletion must reach the
    customer and the day it counted for; stg_orders hides them, so this reads the raw rows), and from them the customers and order days. The window is
    macros/utc_day.sql:in_window; without one every order counts as touched (a full selection).

    An order's customer and placement time never change in the source; a change of either would
    leave the old customer's or day's totals stale until a full refresh.
#}
{% macro touched_orders() %}
    select
        order_id::bigint              as order_id,
        customer_id::bigint           as customer_id,
        {{ utc_date('ordered_at') }}  as order_date,
        deleted_at is not null        as deleted
    from {{ source('raw', 'orders') }}
    where {{ in_window('updated_at') }}
{% endmacro %}

{# Customers whose own row or any of whose orders changed in the window. #}
{% macro touched_customers() %}
    select customer_id from {{ ref('stg_customers') }} where {{ in_window('updated_at') }}
    union
    select customer_id from ({{ touched_orders() }}) as touched_orders
{% endmacro %}

{#
    The UTC response days whose NPS answers changed in the window: answered, revised or withdrawn
    (deleted_at set; the source moves updated_at with it, the extract cursor), or erased (gone
    from the source: the load sets `_deleted_at` to its own time and leaves updated_at alone).
    stg_nps_responses hides withdrawn and erased answers, so this reads the raw rows.

    `_deleted_at` is the load's wall-clock time, not a source time: the load for day D runs on
    D or later (a backfill, or the demo's simulated days, long after), so an erasure is caught
    from the window's start on with no end (in_window open_end). A later window may re-select the
    same day again; recomputing a day is idempotent, so that costs time, never correctness.
#}
{% macro touched_response_days() %}
    select distinct {{ utc_date('responded_at') }} as response_date
    from {{ source('raw', 'nps_responses') }}
    where {{ in_window('updated_at') }} or {{ in_window('_deleted_at', open_end=true) }}
{% endmacro %}
