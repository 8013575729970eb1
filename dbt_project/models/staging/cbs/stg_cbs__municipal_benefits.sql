-- The municipality's benefit counts; a re-delivered month replaces the earlier delivery.

with

source as (

    select * from {{ source('cbs', 'cbs_municipal_benefit') }}

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
