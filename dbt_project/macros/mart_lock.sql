{#
    One build of a mart at a time, across dbt processes: two runs of one partition may build the
    marts at once. dbt swaps a rebuilt table in by renaming the old one to <name>__dbt_backup and
    drops that only after the commit, so a second build renaming in that gap failed with "relation
    <name>__dbt_backup already exists". This pre-hook, first in the build's transaction, waits for
    any other build of the mart to commit, then drops the backup that build may not have dropped yet.
    Both stay inside the transaction on purpose: a hook outside it (transaction: false) makes dbt
    send a bare COMMIT that leaves the rest of the model running in autocommit, so a killed build
    would keep half its writes (tests/reliability/test_run_kill.py caught exactly that).
#}
{% macro mart_lock() -%}
    select pg_advisory_xact_lock(hashtext('{{ this }}'))
    {%- if config.get('materialized') == 'table' %};
    drop table if exists {{ make_backup_relation(this, 'table') }}
    {%- endif %}
{%- endmacro %}
