{#-
  The body of the two incremental care models (int_care_usage_measured_by_quarter and
  int_care_usage_measured_by_district_quarter), which differ only in their grain: the lines
  to (re)compute (care_usage_increment), their measures at `grain` (care_usage_measures), and
  the measures typed as the marts' contracts type them, so the stored rows are what the marts
  publish, with the watermark `lines_assessed_through`.
-#}
{% macro care_usage_measured(grain) %}
with

lines as (

    {{ care_usage_increment(ref('int_declaration_lines_assessed')) }}

),

measures as (

    {{ care_usage_measures('lines', grain) }}

)

select
    {%- for column in grain %}
    measures.{{ column }},
    {%- endfor %}
    measures.declared_amount_eur::numeric(14, 2) as declared_amount_eur,
    measures.rejected_amount_eur::numeric(14, 2) as rejected_amount_eur,
    measures.accepted_amount_eur::numeric(14, 2) as accepted_amount_eur,
    measures.clients::integer as clients,
    measures.delivered_volume::bigint as delivered_volume,
    measures.unit,
    measures.amount_per_client_eur::numeric(14, 2) as amount_per_client_eur,
    (
        select max(assessed_lines.assessed_at)
        from {{ ref('int_declaration_lines_assessed') }} as assessed_lines
    ) as lines_assessed_through

from measures
{% endmacro %}
