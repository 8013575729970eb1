{#-
  The subsidy measures of issue 12 at any grain, one definition for every subsidy mart:
  requests (register rows), grants (rows with a granted amount above 0), requested, granted
  and settled euros (sums; null when no row of the group states one), the share of requests
  granted, and the share of requested euros granted — granted euros over requested euros of
  the rows that state both, so a row without a requested amount does not inflate it. Shares
  are rounded half-up to 4 decimals; null when there is nothing to divide by. Types are the
  marts' contracts: amounts numeric(16,2), shares numeric(7,4) and numeric(9,4), counts integer.
-#}
{% macro subsidy_measures(grants, grain) %}
{%- set cols = grain | join(', ') -%}
select
    {{ cols }},
    count(*)::integer as requests,
    (count(*) filter (where granted_eur > 0))::integer as grants,
    sum(requested_eur)::numeric(16, 2) as requested_eur,
    sum(granted_eur)::numeric(16, 2) as granted_eur,
    sum(settled_eur)::numeric(16, 2) as settled_eur,
    round(
        count(*) filter (where granted_eur > 0)::numeric / count(*), 4
    )::numeric(7, 4) as share_of_requests_granted,
    round(
        sum(granted_eur) filter (where requested_eur is not null)
        / nullif(sum(requested_eur) filter (where granted_eur is not null), 0),
        4
    )::numeric(9, 4) as share_of_requested_eur_granted

from {{ grants }}
group by {{ cols }}
{% endmacro %}
