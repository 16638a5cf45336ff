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
