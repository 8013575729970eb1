-- CBS statistics, one row per dataset x region x period x measure: the newest edition wins
-- (higher table id, then the latest load), so a corrected or later table supersedes the old.

{#- A warehouse bootstrapped before CBS loading existed has no raw.cbs_* tables yet: the care
    marts must still build, with an empty CBS side. -#}
{%- set src = source('cbs', 'cbs_observation') -%}
{%- set src_exists = adapter.get_relation(src.database, src.schema, src.identifier) if execute else true %}

with

source as (

    {% if src_exists %}
    select * from {{ src }}
    {% else %}
    select
        null::text as dataset, null::text as table_id, null::text as file_format,
        null::text as region_code, null::text as region_name, null::text as period,
        null::text as measure, null::text as source_key, null::numeric as value,
        null::text as value_raw, null::integer as line_number, null::text as _batch_id,
        null::text as _source_file, null::text as _file_hash, null::timestamptz as _loaded_at
    where false
    {% endif %}

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
