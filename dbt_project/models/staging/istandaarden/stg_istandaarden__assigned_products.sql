with

source as (

    select * from {{ source('istandaarden', 'istandaarden_301_product') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        bsn_pseudoniem as client_pseudonym,
        toewijzingnummer as assignment_number,
        referentie_aanbieder as provider_reference,
        productcategorie as product_category,
        productcode as product_code,
        toewijzingsdatum as assignment_date,
        toewijzingstijd as assignment_time,
        ingangsdatum as valid_from,
        einddatum as valid_to,
        reden_wijziging as change_reason,
        omvang_volume as volume,
        omvang_eenheid as unit,
        omvang_frequentie as frequency,
        {{ cents_to_euros('budget') }} as budget_eur,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
