-- The care-usage measures (macros/care_usage_measures) per municipality x district x law x
-- quarter, before small-cell suppression and population rates: what
-- marts.care_usage_by_district_quarterly publishes. Incremental by quarter like
-- int_care_usage_measured_by_quarter (macros/care_usage_increment): a newer 301 that moves
-- a client's lines to another district re-assesses them, so their quarter is recomputed
-- whole and the district they left loses its row when nothing is left in it.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['municipality_code', 'law', 'quarter_start'],
    on_schema_change='fail',
) }}

{{ care_usage_measured(['municipality_code', 'district_code', 'law', 'quarter_start']) }}
