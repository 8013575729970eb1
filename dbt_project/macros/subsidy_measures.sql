{#-
  The subsidy measures of issue 12 at any grain, one definition for every subsidy mart:
  requests (register rows), grants (rows with a granted amount above 0), requested, granted
  and settled euros (sums; null when no row of the group states one), the share of requests
  granted, and the share of requested euros granted — granted euros over requested euros of
  the rows that state both, so a row without a requested amount does not inflate it. Shares
  are rounded half-up to 4 decimals; null when there is nothing to divide by. Types are the
  marts' contracts, chosen from the ingest bound (every amount |x| < 10^11, sdw.money.BOUND)
  so that no group can overflow them: a sum of count(*) rows (a bigint, < 2^63 < 9.3 x 10^18)
  of amounts below 10^11 is below 9.3 x 10^29 < 10^30, so amounts are numeric(32,2); the share
  of requested euros granted divides such a sum by at least 0.01 (amounts are cents, never
  negative), so it is below 10^32: numeric(36,4), never capped or hidden (a typo such as
  requested € 1,00 granted € 100.000,00 shows as 100000.0000, for the raw suite's warning to
  explain). The share of requests granted lies in [0, 1]: numeric(7,4). Counts integer.
-#}
{% macro subsidy_measures(grants, grain) %}
{%- set cols = grain | join(', ') -%}
select
    {{ cols }},
    count(*)::integer as requests,
    (count(*) filter (where granted_eur > 0))::integer as grants,
    sum(requested_eur)::numeric(32, 2) as requested_eur,
    sum(granted_eur)::numeric(32, 2) as granted_eur,
    sum(settled_eur)::numeric(32, 2) as settled_eur,
    round(
        count(*) filter (where granted_eur > 0)::numeric / count(*), 4
    )::numeric(7, 4) as share_of_requests_granted,
    round(
        sum(granted_eur) filter (where requested_eur is not null)
        / nullif(sum(requested_eur) filter (where granted_eur is not null), 0),
        4
    )::numeric(36, 4) as share_of_requested_eur_granted

from {{ grants }}
group by {{ cols }}
{% endmacro %}
