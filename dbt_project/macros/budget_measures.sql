{#-
  The budget-realisation measures of issue 12, one definition for marts.budget_realisation and
  its unit tests. From a relation with the budget line's keys, its file figures and, for care
  lines, the declaration spend, renders the mart's select in contract order:

  - current_budget_eur = primitive + amendments + carry-over (huidige begroting); a part the
    file left empty counts as 0, so a line with only a primitive budget has a current budget.
  - available_eur = current_budget_eur - spent_eur - committed_eur, exactly (to the cent, no
    rounding), an empty spent or committed counting as 0 like the budget parts.
  - burn_rate_pct = 100 x spent / current budget, rounded half-up to 2 decimals; null when the
    current budget is 0 (nothing to burn).
  - year_elapsed_pct = 100 x day of the budget year reached by the peildatum / days in that
    year, 2 decimals: 30 September 2024 is day 274 of 366 -> 74.86. A peildatum after the year
    (a version for the jaarrekening) is 100, one before it 0.
  - difference_eur = declaration_spend_eur - spent_eur ("claims not yet booked"): null where
    there is no declaration spend (lines no care category maps to).
-#}
{% macro budget_measures(lines) %}
select
    municipality_code,
    begrotingsjaar,
    report_version,
    peildatum,
    budget_line,
    budget_line_name,
    taakveld,
    taakveld_name,
    programma,
    project,
    kostenplaats,
    primitive_budget_eur::numeric(14, 2) as primitive_budget_eur,
    amendments_eur::numeric(14, 2) as amendments_eur,
    carry_over_eur::numeric(14, 2) as carry_over_eur,
    current_budget_eur::numeric(14, 2) as current_budget_eur,
    spent_eur::numeric(14, 2) as spent_eur,
    committed_eur::numeric(14, 2) as committed_eur,
    (
        current_budget_eur - coalesce(spent_eur, 0) - coalesce(committed_eur, 0)
    )::numeric(14, 2) as available_eur,
    forecast_eur::numeric(14, 2) as forecast_eur,
    -- round() on numeric rounds half away from zero
    round(
        100 * coalesce(spent_eur, 0) / nullif(current_budget_eur, 0), 2
    )::numeric(18, 2) as burn_rate_pct,
    round(
        100.0
        * least(greatest(peildatum - year_start + 1, 0), next_year_start - year_start)
        / (next_year_start - year_start),
        2
    )::numeric(5, 2) as year_elapsed_pct,
    is_care_line,
    declaration_spend_eur::numeric(14, 2) as declaration_spend_eur,
    (declaration_spend_eur - coalesce(spent_eur, 0))::numeric(14, 2) as difference_eur

from (

    select
        *,
        coalesce(primitive_budget_eur, 0)
        + coalesce(amendments_eur, 0)
        + coalesce(carry_over_eur, 0) as current_budget_eur,
        make_date(begrotingsjaar, 1, 1) as year_start,
        make_date(begrotingsjaar + 1, 1, 1) as next_year_start

    from {{ lines }}

) as with_current_budget
{% endmacro %}
