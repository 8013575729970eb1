{#
    Use a model's custom schema name as-is (`staging`, `intermediate`, `marts_candidate`)
    instead of dbt's default `<target schema>_<custom>`: the warehouse has fixed schema names
    that the publish step, GX suites and the BI read-only role refer to.

    Marts are built in `marts_candidate` and published by renaming that schema to `marts`
    (sdw.publish). With `--vars '{sdw_docs_published: true}'` (only `dbt docs generate` in
    sdw.report.docs uses it; never build with it) the marts are named by their published
    schema, so the docs catalog reads their column types from `marts`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts_candidate' and var('sdw_docs_published', false) -%}
        marts
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
