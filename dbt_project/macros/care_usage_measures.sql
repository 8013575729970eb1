{#-
  The care-usage measures of the KPI contract (docs/kpi-definitions.md#care_usage_quarterly), at any
  grain: one definition for every care mart, so the quarterly and the district mart cannot drift
  apart.

  Renders a query with the grain columns and: declared, rejected and accepted amounts (signed
  sums), clients (distinct clients whose net accepted amount within the row is > 0, so a client
  whose lines were all rejected or fully credited is not counted), delivered volume of accepted
  lines, the unit when all of a row's lines share one, and the accepted amount per client
  (rounded half-up to cents; null without clients). Types are left to the mart's contract.
-#}
{% macro care_usage_measures(lines, grain) %}
{%- set cols = grain | join(', ') -%}
with

client_totals as (

    select
        {{ cols }},
        client_pseudonym,
        sum(accepted_amount_eur) as net_accepted_amount_eur

    from {{ lines }}
    group by {{ cols }}, client_pseudonym

),

clients as (

    select
        {{ cols }},
        count(*) filter (where net_accepted_amount_eur > 0) as clients

    from client_totals
    group by {{ cols }}

),

amounts as (

    select
        {{ cols }},
        {{ care_amount_sums() }},
        sum(accepted_delivered_volume) as delivered_volume,
        case when count(distinct unit) = 1 then min(unit) end as unit

    from {{ lines }}
    group by {{ cols }}

)

select
    {% for col in grain %}amounts.{{ col }},
    {% endfor -%}
    amounts.declared_amount_eur,
    amounts.rejected_amount_eur,
    amounts.accepted_amount_eur,
    clients.clients,
    amounts.delivered_volume,
    amounts.unit,
    -- round() on numeric rounds half away from zero: half-up for the (positive) amount.
    case
        when clients.clients > 0 then round(amounts.accepted_amount_eur / clients.clients, 2)
    end as amount_per_client_eur

from amounts

inner join clients
    using ({{ cols }})
{% endmacro %}

{#-
  Declared, rejected and accepted euros of a group of assessed 323 lines
  (int_declaration_lines_assessed): signed sums, debit + and credit -; accepted = declared -
  rejected, as each line's accepted_amount_eur is its signed amount unless a 325 rejected it.
  The one definition for the care marts and for the care spend beside the budget
  (int_care_spend_by_budget_line), so the two can be reconciled to the cent.
-#}
{% macro care_amount_sums() -%}
sum(signed_submitted_amount_eur) as declared_amount_eur,
        coalesce(sum(signed_submitted_amount_eur) filter (where is_rejected), 0)
            as rejected_amount_eur,
        sum(accepted_amount_eur) as accepted_amount_eur
{%- endmacro %}
