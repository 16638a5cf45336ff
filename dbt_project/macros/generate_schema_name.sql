{#
    Models land in exactly the schema they configure (`staging`, `marts`), never in dbt's default
    `<target_schema>_<custom>`: the loaders, the dashboard and docs/data-contract.md all name
    `staging.*` and `marts.*` directly, whatever the target. A model without a custom schema
    falls back to the target's schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
