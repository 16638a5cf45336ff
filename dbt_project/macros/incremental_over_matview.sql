{#
    An incremental model whose relation is still a materialized view (mart_daily_revenue and
    mart_nps_daily were materialized views before they became incremental) is dropped first, so
    dbt's incremental materialization creates its table. Without this, dbt takes the existing
    relation for the incremental target and fails on `alter materialized_view ...`. It happens once
    per warehouse, on the first build after the upgrade; readers miss the relation only for the
    length of that build's statement. Everything else is dbt's own materialization, unchanged.
#}
{% materialization incremental, adapter='postgres' %}
    {%- set existing = load_cached_relation(this) -%}
    {%- if existing is not none and existing.is_materialized_view -%}
        {% do adapter.drop_relation(existing) %}
    {%- endif -%}
    {{ return(materialization_incremental_default()) }}
{% endmaterialization %}
