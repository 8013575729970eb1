with

source as (

    select * from {{ source('istandaarden', 'istandaarden_317_product') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        bsn_pseudoniem as client_pseudonym,
        referentie_aanbieder as provider_reference,
        reden_verzoek as request_reason,
        soort_product as product_kind,
        toewijzingnummer as assignment_number,
        productcategorie as product_category,
        productcode as product_code,
        gewenste_ingangsdatum as requested_valid_from,
        einddatum as requested_valid_to,
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
