with

source as (

    select * from {{ source('istandaarden', 'istandaarden_325_antwoord') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        declaratie_identificatie as declaration_message_id,
        declaratienummer as declaration_number,
        {{ cents_to_euros('totaal_ingediend_bedrag') }} as total_submitted_amount_eur,
        totaal_ingediend_debet_credit as total_submitted_debit_credit,
        {{ cents_to_euros(signed('totaal_ingediend_bedrag', 'totaal_ingediend_debet_credit')) }}
            as signed_total_submitted_amount_eur,
        {{ cents_to_euros('totaal_toegekend_bedrag') }} as total_granted_amount_eur,
        totaal_toegekend_debet_credit as total_granted_debit_credit,
        {{ cents_to_euros(signed('totaal_toegekend_bedrag', 'totaal_toegekend_debet_credit')) }}
            as signed_total_granted_amount_eur,
        retourcodes as return_codes,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
