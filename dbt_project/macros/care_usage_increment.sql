{#-
  The assessed 323 lines a care measure model (re)computes: every line when it builds whole;
  incrementally, every line of each municipality x law x quarter that holds a line assessed
  after the model's last build (int_declaration_lines_assessed.assessed_at, stamped by the
  build that wrote it; only dbt writes it and builds do not overlap, so it only grows). Whole
  quarters, because a quarter's distinct clients (and, per district, its small-cell
  suppression) cannot be added up from parts. A new line, a late 325 answer and a newer 301
  each re-assess their lines, so each brings its quarter back here. The model stores
  `lines_assessed_through` (the newest assessed_at it has seen) as its watermark: a build
  that failed between the lines and this model is caught up by the next one.
-#}
{% macro care_usage_increment(lines) %}
    select * from {{ lines }}
    {%- if is_incremental() %}
    where (municipality_code, law, quarter_start) in (
        select distinct municipality_code, law, quarter_start
        from {{ lines }}
        where assessed_at > (
            select coalesce(max(lines_assessed_through), '-infinity'::timestamptz)
            from {{ this }}
        )
    )
    {%- endif %}
{% endmacro %}
