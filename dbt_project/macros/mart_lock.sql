{#
    One build of a mart at a time, across dbt processes: two runs of one partition may build the
    marts at once. dbt swaps a rebuilt table in by renaming the old one to <name>__dbt_backup and
    dropping that after the commit, so a second build renaming in that gap fails with "relation
    <name>__dbt_backup already exists". A session-level advisory lock, taken before the build's
    transaction and given back after the backup is dropped (hooks outside the transaction, see
    dbt_project.yml), covers the whole swap. A build that dies gives it back with its connection.
#}
{% macro mart_lock(action) -%}
    select {{ 'pg_advisory_lock' if action == 'take' else 'pg_advisory_unlock' }}(hashtext('{{ this }}'))
{%- endmacro %}
