-- The care-usage measures (macros/care_usage_measures) per municipality x law x product
-- category x quarter: what marts.care_usage_quarterly publishes. Kept here, in intermediate,
-- because the marts' own schema is swapped away at every publication (sdw.publish), so a
-- mart cannot keep state from one build to the next; this model can, and is incremental by
-- quarter (macros/care_usage_increment): delete+insert replaces every row of each
-- municipality x law x quarter that new lines, late 325 answers or newer 301s touched.

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['municipality_code', 'law', 'quarter_start'],
    on_schema_change='fail',
) }}

{{ care_usage_measured(['municipality_code', 'law', 'product_category', 'quarter_start']) }}
