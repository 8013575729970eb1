with

source as (

    select * from {{ source('istandaarden', 'istandaarden_319_antwoord') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        referentie_aanbieder as provider_reference,
        verzoek_antwoord as request_answer,
        reden_afwijzing_verzoek as rejection_reason,
        'GM' || woonplaatsbeginsel_gemeente as responsible_municipality_code,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
