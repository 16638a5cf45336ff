{#
    The one definition of "a customer's orders" that both customer marts count from: the revenue
    set of fct_orders (soft-deleted orders are already gone there; cancelled ones are excluded
    here), so dim_customers.order_count and customer_lifetime_value.orders can never disagree.
    `customers`: a query of the customer_ids to count (an incremental run's touched customers),
    none for all.
#}
{% macro customer_order_totals(customers=none) %}
    select
        customer_id,
        count(*)         as orders,
        sum(amount)      as lifetime_value,
        min(order_date)  as first_order_date,
        max(order_date)  as last_order_date
    from {{ ref('fct_orders') }}
    where status <> 'cancelled'
    {%- if customers %}
      and customer_id in ({{ customers }})
    {%- endif %}
    group by customer_id
{% endmacro %}

{#
    The CTEs both customer marts start from: `orders`, the totals of the customers to (re)select,
    and in an incremental run `touched`, those customers (macros/touched.sql); the model keeps its
    rows to `touched` when it exists (is_incremental()).
#}
{% macro customer_totals_ctes() %}
    {%- if is_incremental() %}
touched as (
    {{ touched_customers() }}
),
    {%- endif %}
orders as (
    {{ customer_order_totals('select customer_id from touched' if is_incremental() else none) }}
)
{%- endmacro %}
