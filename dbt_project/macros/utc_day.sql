{#
    Day boundaries are UTC days, like Dagster's daily partitions. A bare `timestamptz::date` or
    `'2026-09-01'::timestamptz` would follow the session's TimeZone setting instead, so a
    dev laptop and CI could disagree on which day an order belongs to.
#}

{# The UTC calendar day of a timestamptz expression. #}
{% macro utc_date(column) -%}
    (({{ column }}) at time zone 'UTC')::date
{%- endmacro %}

{# The instant a UTC day starts, for a 'YYYY-MM-DD' literal. #}
{% macro utc_day_start(day) -%}
    ('{{ day }}'::date::timestamp at time zone 'UTC')
{%- endmacro %}

{#
    The incremental window as a predicate on a timestamptz column: half-open
    [min_date, max_date) from the vars (a hand-run `dbt build --vars ...`) or else from
    PIPELINE_DBT_MIN_DATE/PIPELINE_DBT_MAX_DATE, which is how Dagster passes it: new --vars make
    dbt re-parse the whole project (seconds per run), a changed env var only the models using it.
    `true` when no window was given (a full selection). Half-open so consecutive Dagster
    partitions (end = next day's start) never overlap.

    open_end=true drops the upper bound, for columns stamped with the load's wall-clock time
    rather than a source time (an erasure's `_deleted_at`): a partition's load runs during or after
    its day, so its stamps fall at or after the window's start but often past its end.
#}
{% macro in_window(column, open_end=false) -%}
    {%- set min_date = var('min_date', none) or env_var('PIPELINE_DBT_MIN_DATE', '') -%}
    {%- set max_date = none if open_end else (var('max_date', none) or env_var('PIPELINE_DBT_MAX_DATE', '')) -%}
    {%- if min_date and max_date -%}
        ({{ column }} >= {{ utc_day_start(min_date) }} and {{ column }} < {{ utc_day_start(max_date) }})
    {%- elif min_date -%}
        ({{ column }} >= {{ utc_day_start(min_date) }})
    {%- elif max_date -%}
        ({{ column }} < {{ utc_day_start(max_date) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
