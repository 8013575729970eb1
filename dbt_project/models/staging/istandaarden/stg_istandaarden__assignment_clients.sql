with

source as (

    select * from {{ source('istandaarden', 'istandaarden_301_client') }}

),

renamed as (

    select
        wet as law,
        'GM' || gemeentecode as municipality_code,
        aanbieder_agb as provider_agb,
        bericht_identificatie as message_id,
        bericht_dagtekening as message_date,
        bsn_pseudoniem as client_pseudonym,
        adres_status as address_status,
        -- CBS codes arrive as integers without prefix: 3630100 is BU03630100, 36301 WK036301.
        'BU' || lpad(buurtcode::text, 8, '0') as neighbourhood_code,
        'WK' || lpad(wijkcode::text, 6, '0') as district_code,
        'GM' || lpad(adres_gemeentecode::text, 4, '0') as address_municipality_code,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
