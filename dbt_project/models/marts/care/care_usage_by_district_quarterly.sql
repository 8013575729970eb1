-- KPI contract (docs/kpi-definitions.md#care_usage_by_district_quarterly): one row per municipality
-- x district x law x quarter, the same measures as care_usage_quarterly without product category
-- (macros/care_usage_measures), small cells suppressed, with their complement per municipality x
-- law x quarter (macros/small_cell_suppression).

-- The measures come from int_care_usage_measured_by_district_quarter (incremental by quarter;
-- intermediate keeps state between builds, this schema is swapped away at every publication).
-- Rates and suppression are computed here on those few rows, every build: a new CBS
-- population year changes rates of quarters no new line touched.

with

measures as (

    select
        municipality_code,
        district_code,
        law,
        quarter_start,
        declared_amount_eur,
        rejected_amount_eur,
        accepted_amount_eur,
        clients,
        delivered_volume,
        unit,
        amount_per_client_eur

    from {{ ref('int_care_usage_measured_by_district_quarter') }}

),

population as (

    select * from {{ ref('int_population_pivoted_to_regions') }}
    where region_level = 'WK'

),

measured as (

    select
        measures.*,
        -- Denominator: CBS inhabitants of the wijk in the latest KWB year <= the quarter's
        -- year; null when CBS has none (or the district is UNKNOWN).
        round(
            measures.clients * 1000.0 / nullif(
                (
                    select population.inhabitants
                    from population
                    where population.region_code = measures.district_code
                        and population.year <= extract(year from measures.quarter_start)
                    order by population.year desc
                    limit 1
                ),
                0
            ),
            2
        ) as clients_per_1000_inhabitants

    from measures

),

-- The districts of one municipality x law x quarter add up to care_usage_quarterly's figures.
protected as (

    {{ small_cell_suppression(
        'measured',
        ['municipality_code', 'law', 'quarter_start'],
        'clients',
    ) }}

),

final as (

    select
        municipality_code,
        district_code,
        law,
        quarter_start,
        case when not suppressed then declared_amount_eur end::numeric(14, 2)
            as declared_amount_eur,
        case when not suppressed then rejected_amount_eur end::numeric(14, 2)
            as rejected_amount_eur,
        case when not suppressed then accepted_amount_eur end::numeric(14, 2)
            as accepted_amount_eur,
        case when not suppressed then clients end::integer as clients,
        delivered_volume::bigint as delivered_volume,
        unit,
        case when not suppressed then amount_per_client_eur end::numeric(14, 2)
            as amount_per_client_eur,
        case when not suppressed then clients_per_1000_inhabitants end::numeric
            as clients_per_1000_inhabitants,
        suppressed

    from protected

)

select * from final
