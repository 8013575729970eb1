-- The CBS address file (postcode + huisnummer -> buurt, wijk, gemeente per year) as codes.
-- Ingest reduces addresses with the raw table itself; this view makes that lookup visible in
-- the project's lineage and lets the staged districts be tested against it.

with

source as (

    select * from {{ source('cbs', 'cbs_adres_gebied') }}

),

renamed as (

    select
        postcode,
        huisnummer as house_number,
        jaar as year,
        -- CBS codes arrive as integers without prefix: 3630100 is BU03630100, 36301 WK036301.
        'BU' || lpad(buurtcode::text, 8, '0') as neighbourhood_code,
        'WK' || lpad(wijkcode::text, 6, '0') as district_code,
        'GM' || lpad(gemeentecode::text, 4, '0') as municipality_code,

        _batch_id as batch_id,
        _source_file as source_file,
        _file_hash as file_hash,
        _loaded_at as loaded_at

    from source

)

select * from renamed
