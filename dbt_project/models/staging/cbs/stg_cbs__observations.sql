-- CBS statistics, one row per dataset x region x period x measure: the newest edition wins
-- (higher table id, then the latest load), so a corrected or later table supersedes the old.

with

source as (

    select * from {{ source('cbs', 'cbs_observation') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by dataset, region_code, period, measure
            order by table_id desc nulls last, _loaded_at desc, _file_hash desc
        ) as edition_rank

    from source

),

renamed as (

    select
        dataset,
        table_id,
        file_format,
        region_code,
        left(region_code, 2) as region_level,
        'GM' || substr(region_code, 3, 4) as municipality_code,
        case
            when region_code like 'WK%' then region_code
            when region_code like 'BU%' then 'WK' || substr(region_code, 3, 6)
        end as district_code,
        region_name,
        period,
        left(period, 4)::integer as year,
        measure,
        value,
        value is null as is_missing,

        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from ranked
    where edition_rank = 1 and region_code ~ '^(GM|WK|BU)'

)

select * from renamed
