with

source as (

    select * from {{ source('istandaarden', 'istandaarden_323_prestatie') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        declaratienummer as declaration_number,
        bsn_pseudoniem as client_pseudonym,
        referentienummer as reference_number,
        vorig_referentienummer as previous_reference_number,
        toewijzingnummer as assignment_number,
        productcategorie as product_category,
        productcode as product_code,
        productperiode_begindatum as period_start,
        productperiode_einddatum as period_end,
        geleverd_volume as delivered_volume,
        eenheid as unit,
        {{ cents_to_euros('producttarief') }} as product_rate_eur,
        {{ cents_to_euros('ingediend_bedrag') }} as submitted_amount_eur,
        debet_credit as debit_credit,
        -- Signed: debit +, credit -, so sums net out corrections.
        {{ cents_to_euros(signed('ingediend_bedrag', 'debet_credit')) }}
            as signed_submitted_amount_eur,
        {{ signed('geleverd_volume', 'debet_credit') }} as signed_delivered_volume,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
