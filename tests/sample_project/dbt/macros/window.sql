{# The platform's partition window (half-open days), or true when a run has none. #}
{% macro visit_window(column) -%}
    {%- set first = env_var('PIPELINE_DBT_MIN_DATE', '') -%}
    {%- set last = env_var('PIPELINE_DBT_MAX_DATE', '') -%}
    {%- if first and last -%}
        ({{ column }} >= '{{ first }}'::timestamp at time zone 'UTC' and {{ column }} < '{{ last }}'::timestamp at time zone 'UTC')
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
