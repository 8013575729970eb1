-- Inhabitants by CBS age band per region and year, pivoted from the long KWB observations
-- (Kerncijfers wijken en buurten): the one population every mart shares, as the mart
-- population_by_district and as the denominator of the district care and benefit marts.
-- CBS rounds wijk and buurt counts to multiples of 5; secret cells stay null.
-- Counts are bigint: the CBS value parser admits up to 10^15 (sdw.cbs.observations.VALUE_LIMIT),
-- and one count from 2^31 on failed every build as integer. No region has that many
-- inhabitants, but a wrong value is the raw suite's to report, not the build's to die on.

with

kwb as (

    select * from {{ ref('stg_cbs__observations') }}
    where dataset = 'kwb' and period ~ '^[0-9]{4}$'

),

wide as (

    select
        region_code,
        region_level,
        municipality_code,
        district_code,
        year,
        max(region_name) as region_name,
        max(value) filter (where measure = 'a_inw') as inhabitants,
        max(value) filter (where measure = 'a_00_14') as age_00_14,
        max(value) filter (where measure = 'a_15_24') as age_15_24,
        max(value) filter (where measure = 'a_25_44') as age_25_44,
        max(value) filter (where measure = 'a_45_64') as age_45_64,
        max(value) filter (where measure = 'a_65_oo') as age_65_plus

    from kwb
    group by region_code, region_level, municipality_code, district_code, year

),

final as (

    select
        region_code::text as region_code,
        region_level::text as region_level,
        region_name::text as region_name,
        municipality_code::text as municipality_code,
        district_code::text as district_code,
        year::integer as year,
        inhabitants::bigint as inhabitants,
        age_00_14::bigint as age_00_14,
        age_15_24::bigint as age_15_24,
        age_25_44::bigint as age_25_44,
        age_45_64::bigint as age_45_64,
        age_65_plus::bigint as age_65_plus,
        (age_15_24 + age_25_44 + age_45_64 + age_65_plus)::bigint as inhabitants_15_plus

    from wide
    where inhabitants is not null

)

select * from final
