-- The district of each assignment: the client's BRP-address wijk (Contact Soort 01, reduced to
-- CBS codes at ingest) on the latest 301 (greatest Dagtekening) holding the ToewijzingNummer.
-- ToewijzingNummer is the municipality's number, so it is unique within law + municipality.
-- The district stays null when unknown: the models that count rows label it
-- (macros/district_or_unknown), since they also meet lines whose assignment has no 301 at all.

with

assigned_products as (

    select * from {{ ref('stg_istandaarden__assigned_products') }}

),

assignment_clients as (

    select * from {{ ref('stg_istandaarden__assignment_clients') }}

),

-- A 301 holds one client; product and client rows of the same message share the file hash.
products_with_area as (

    select
        assigned_products.law,
        assigned_products.municipality_code,
        assigned_products.assignment_number,
        assigned_products.provider_agb,
        assigned_products.message_id,
        assigned_products.message_date,
        assigned_products.loaded_at,
        assignment_clients.address_status,
        assignment_clients.district_code

    from assigned_products

    left join assignment_clients
        on assigned_products.file_hash = assignment_clients.file_hash
        and assigned_products.message_id = assignment_clients.message_id
        and assigned_products.client_pseudonym = assignment_clients.client_pseudonym

),

ranked as (

    select
        *,
        row_number() over (
            partition by law, municipality_code, assignment_number
            -- Ties on Dagtekening: the message loaded last, then the highest identification.
            order by message_date desc, loaded_at desc, message_id desc
        ) as recency_rank

    from products_with_area

),

latest as (

    select
        law,
        municipality_code,
        assignment_number,
        provider_agb,
        message_id as latest_301_message_id,
        message_date as latest_301_message_date,
        coalesce(address_status, 'no_client') as address_status,
        district_code

    from ranked
    where recency_rank = 1

)

select * from latest
