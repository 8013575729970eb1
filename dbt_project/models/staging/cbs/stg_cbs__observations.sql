-- CBS statistics, one row per dataset x region x period x measure: the newest edition wins
-- (higher table id, then the later delivery), so a corrected or later table supersedes the old.
-- Within one delivery the file name that sorts last (byte order) wins, as for budgets and
-- registers (docs/budgets.md, "Which file wins"); never the order in which the workers happened
-- to commit. audit.ambiguous_delivery lists two files of one delivery that state the same
-- table's period.

with

source as (

    select * from {{ source('cbs', 'cbs_observation') }}

),

deliveries as (

    {{ deliveries('source') }}

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by source.dataset, source.region_code, source.period, source.measure
            order by
                source.table_id desc nulls last, {{ which_file_wins('source') }},
                source.line_number desc
        ) as edition_rank

    from source
    inner join deliveries on source._batch_id = deliveries._batch_id

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
