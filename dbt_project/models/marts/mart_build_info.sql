{#
    Table with exactly one row, rewritten by every build: which dbt invocation produced the marts
    and how fresh their inputs are. data_as_of is the last successful load's finish; failed or
    running loads brought no data, so they must not make the dashboard look fresher.

    The depends_on refs make this the last mart built and put it downstream of every mart the
    dashboard reads in Dagster's graph, so any mart update also refreshes the data version.
#}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('mart_daily_revenue') }}
-- depends_on: {{ ref('mart_nps_daily') }}
-- depends_on: {{ ref('customer_lifetime_value') }}
select
    '{{ invocation_id }}'::text as data_version,
    now()::timestamptz          as built_at,
    (
        select max(finished_at)
        from {{ ref('stg_loads') }}
        where status = 'success'
    )::timestamptz              as data_as_of
