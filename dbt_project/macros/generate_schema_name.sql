{#
    Use a model's custom schema name as-is (`staging`, `intermediate`, `marts_candidate`)
    instead of dbt's default `<target schema>_<custom>`: the warehouse has fixed schema names
    that the publish step, GX suites and the BI read-only role refer to.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
