{#
    iStandaarden amounts are integer eurocent. Dividing by 100 as numeric keeps them exact;
    the marts' contract type is numeric(14,2).
#}
{% macro cents_to_euros(column_name, scale=2) -%}
    ({{ column_name }}::numeric / 100)::numeric(14, {{ scale }})
{%- endmacro %}
