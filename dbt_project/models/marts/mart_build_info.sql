{#
    Table with exactly one row, rewritten by every build: which dbt invocation produced the marts
    and how fresh their inputs are. data_as_of is the last successful load's finish; failed or
    running loads brought no data, so they must not make the dashboard look fresher.
#}
select
    '{{ invocation_id }}'::text as data_version,
    now()::timestamptz          as built_at,
    (
        select max(finished_at)
        from {{ ref('stg_loads') }}
        where status = 'success'
    )::timestamptz              as data_as_of
