with

source as (

    select * from {{ source('istandaarden', 'istandaarden_323_declaratie') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        declaratienummer as declaration_number,
        declaratieperiode_begindatum as declaration_period_start,
        declaratieperiode_einddatum as declaration_period_end,
        declaratie_dagtekening as declaration_date,
        {{ cents_to_euros('totaal_ingediend_bedrag') }} as total_submitted_amount_eur,
        totaal_debet_credit as total_debit_credit,
        {{ cents_to_euros(signed('totaal_ingediend_bedrag', 'totaal_debet_credit')) }}
            as signed_total_submitted_amount_eur,
        prestaties_in as lines_in,
        prestaties_loaded as lines_loaded,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
