{#-
  The district a row is counted under: its CBS wijk code (`WK` + 6 digits), or `UNKNOWN` when
  none is known (no address, no match in the CBS address file, no 301 for the assignment). One
  definition for every mart with a district grain, so the label cannot differ between them;
  `UNKNOWN` sorts before every `WK...` code in byte order (macros/small_cell_suppression).
-#}
{% macro district_or_unknown(district_code) -%}
    coalesce({{ district_code }}, 'UNKNOWN')
{%- endmacro %}
