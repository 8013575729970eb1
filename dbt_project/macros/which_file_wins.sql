{#- The one rule for which file of a version wins, for every source that has versions
    (docs/budgets.md, "Which file wins"): the later delivery (an ingest run, as late as its
    first load), then the later date the file states where it states one, then the file name
    that sorts last in byte order; the hash only where one name appears twice in a delivery.
    Never the order in which the workers happened to commit. audit.ambiguous_delivery
    (plugins/sdw/warehouse/ddl/zz_views.sql) lists the sets this rule had to decide.

    deliveries(relation): the body of a `deliveries` CTE, one row per delivery;
    which_file_wins(relation, stated_date): the ORDER BY of a window over a version's key,
    with `deliveries` joined on the batch. `raw=false` where staging has renamed the
    columns (batch_id, loaded_at, source_file, file_hash). -#}

{% macro deliveries(relation, raw=true) -%}
    {%- set p = '_' if raw else '' -%}
    select
        {{ p }}batch_id,
        min({{ p }}loaded_at) as delivered_at
    from {{ relation }}
    group by {{ p }}batch_id
{%- endmacro %}

{% macro which_file_wins(relation, stated_date=none, raw=true) -%}
    {%- set p = '_' if raw else '' -%}
    deliveries.delivered_at desc,
    {%- if stated_date %} {{ relation }}.{{ stated_date }} desc,{% endif %}
    convert_to({{ relation }}.{{ p }}source_file, 'UTF8') desc,
    {{ relation }}.{{ p }}file_hash desc
{%- endmacro %}
