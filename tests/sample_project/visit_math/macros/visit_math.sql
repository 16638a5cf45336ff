{# A local dbt package: whole minutes between two timestamps, and a generic test for it. #}
{% macro minutes_between(start_column, end_column) -%}
    (extract(epoch from ({{ end_column }} - {{ start_column }})) / 60)::int
{%- endmacro %}

{% test non_negative(model, column_name) %}
    select * from {{ model }} where {{ column_name }} < 0
{% endtest %}
