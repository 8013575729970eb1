-- One row per subsidy request of the latest register delivered for its year: a register is
-- published whole per year, so a later file with rows for a year replaces the earlier ones.

with

source as (

    select * from {{ source('subsidies', 'subsidy_grant') }}

),

ranked as (

    select
        *,
        dense_rank() over (
            partition by subsidiejaar
            order by _loaded_at desc, _file_hash desc
        ) as delivery_rank

    from source

),

renamed as (

    select
        subsidiejaar as subsidy_year,
        jaar_toekenning as grant_year,
        programma as programme,
        taakveld,
        thema as theme,
        regeling as scheme,
        soort_subsidie as subsidy_type,
        organisatie as granting_department,
        ontvanger as recipient,
        omschrijving as description,
        regelmaat as recurrence,
        aangevraagd_bedrag as requested_eur,
        verleend_bedrag as granted_eur,
        vastgesteld_bedrag as settled_eur,
        layout as register_layout,

        line_number,
        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from ranked
    where delivery_rank = 1

)

select * from renamed
