{#-
  The date `n` working days (Monday to Friday; public holidays are not counted out) after
  `start`, as the iStandaarden response norms count them (OP274, OP271, OP272: "binnen 5
  werkdagen"). A start on a Saturday or Sunday counts from the Friday before, so the first
  working day after it is the Monday. Closed form rather than a calendar table: n whole weeks
  are 7n/5 days, and the remainder steps over one weekend when it passes Friday.
-#}
{% macro add_working_days(start, n) -%}
(
    ({{ start }})::date
    - greatest(extract(isodow from ({{ start }})::date)::int - 5, 0)
    + 7 * (({{ n }})::int / 5)
    + (({{ n }})::int % 5)
    + case
        when least(extract(isodow from ({{ start }})::date)::int, 5) + (({{ n }})::int % 5) > 5
            then 2
        else 0
    end
)
{%- endmacro %}
