{#
    Views are replaced in place (CREATE OR REPLACE VIEW) instead of dbt's default "create
    __dbt_tmp, rename, drop the old one CASCADE". That cascade would silently drop every
    materialized view built on a staging view (as mart_nps_daily was before it became incremental): dbt does
    re-create it later in the run, but meanwhile the dashboard finds no relation and errors, and
    the view is rebuilt from scratch instead of refreshed. CREATE OR REPLACE keeps dependents.

    Postgres only allows it while the view keeps its columns (names, order, types) and at most
    adds new ones at the end. For any other change run `dbt build --full-refresh --select <view>`:
    the first build, a full refresh, or a table in the way all take dbt's default path (whose
    dropped dependents dbt re-creates in the same run).
#}
{% materialization view, adapter='postgres' %}
    {%- set existing = load_cached_relation(this) -%}
    {%- if existing is none or not existing.is_view or should_full_refresh() -%}
        {{ return(materialization_view_default()) }}
    {%- endif -%}

    {%- set target_relation = this.incorporate(type='view') -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('main') -%}
        create or replace view {{ target_relation }} as (
            {{ sql }}
        );
    {%- endcall %}

    {% do apply_grants(target_relation, config.get('grants'), should_revoke=True) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
