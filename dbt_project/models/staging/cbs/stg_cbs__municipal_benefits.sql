-- The municipality's benefit counts; a re-delivered month replaces the earlier delivery.

{%- set src = source('cbs', 'cbs_municipal_benefit') -%}
{%- set src_exists = adapter.get_relation(src.database, src.schema, src.identifier) if execute else true %}

with

source as (

    {% if src_exists %}
    select * from {{ src }}
    {% else %}
    select
        null::text as gemeentecode, null::text as wijkcode, null::text as maand,
        null::text as regeling, null::integer as aantal_personen, null::integer as line_number,
        null::text as _batch_id, null::text as _source_file, null::text as _file_hash,
        null::timestamptz as _loaded_at
    where false
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by gemeentecode, wijkcode, maand, regeling
            order by _loaded_at desc, _file_hash desc, line_number desc
        ) as delivery_rank

    from source

),

renamed as (

    select
        gemeentecode as municipality_code,
        wijkcode as district_code,
        to_date(maand || '-01', 'YYYY-MM-DD') as month_start,
        regeling as benefit_type,
        aantal_personen as recipients,

        _source_file as source_file,
        _loaded_at as loaded_at

    from ranked
    where delivery_rank = 1

)

select * from renamed
