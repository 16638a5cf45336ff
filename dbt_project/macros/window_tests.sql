{#
    Data tests of growing tables check only the rows the run's window touched: a daily run must cost
    what the day changed, not the whole history (a unique test over every order ever placed is a
    sort of the whole table). A test opts in with `where: "__in_window__(<timestamp column>)"`,
    the placeholder pattern dbt documents for a `where` that needs a macro: dbt renders yml configs
    at parse time, when the window is not known, so the placeholder is replaced here, at run time,
    by macros/utc_day.sql:in_window. Without a window (a full build) that is `true`: every row.

    Sound because untouched rows cannot change: the loaders upsert on the primary key and stamp
    `updated_at`, incremental marts replace exactly the keys their window re-selects, and every
    row was tested by the run that last wrote it.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- set placeholder = modules.re.search('__in_window__[(]([A-Za-z_][A-Za-z0-9_]*)[)]', where) -%}
    {%- if placeholder -%}
        {%- set where = where.replace(placeholder.group(0), in_window(placeholder.group(1))) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro %}
