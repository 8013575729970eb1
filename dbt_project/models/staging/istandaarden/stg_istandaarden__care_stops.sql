with

source as (

    select * from {{ source('istandaarden', 'istandaarden_307_product') }}

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
        productcategorie as product_category,
        productcode as product_code,
        toewijzing_ingangsdatum as assignment_valid_from,
        begindatum as care_start_date,
        reden_beeindiging as end_reason,
        einddatum as care_end_date,
        status_aanlevering as delivery_status,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
