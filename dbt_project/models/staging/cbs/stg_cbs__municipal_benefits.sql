-- The municipality's benefit counts; a re-delivered month replaces the earlier delivery. Which
-- file wins: the later delivery (ingest run); within one delivery the file name that sorts last
-- (byte order), as for budgets and registers (docs/budgets.md, "Which file wins"); never the
-- order in which the workers happened to commit. audit.ambiguous_delivery lists two files of
-- one delivery that state the same month.

with

source as (

    select * from {{ source('cbs', 'cbs_municipal_benefit') }}

),

deliveries as (

    {{ deliveries('source') }}

),

ranked as (

    select
        source.*,
        row_number() over (
            partition by source.gemeentecode, source.wijkcode, source.maand, source.regeling
            order by
                {{ which_file_wins('source') }}, source.line_number desc
        ) as delivery_rank

    from source
    inner join deliveries on source._batch_id = deliveries._batch_id

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
