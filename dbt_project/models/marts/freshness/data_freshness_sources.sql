-- What each mart was built from, frozen when the marts are built: the newest message date
-- (Dagtekening) and file behind it. A table in the marts schema on purpose: it is published
-- with the marts it describes (the schema swap), so it never reports data loaded after the
-- build that the published marts do not hold. data_freshness adds the publication to it.
-- A mart not listed here (e.g. a new one) still gets its row in data_freshness, without these.

with

messages as (

    select * from {{ ref('stg_istandaarden__messages') }}

),

cbs_observations as (

    select * from {{ ref('stg_cbs__observations') }}

),

municipal_benefits as (

    select * from {{ ref('stg_cbs__municipal_benefits') }}

),

procedures as (

    select * from {{ ref('stg_cases__procedures') }}

),

grants as (

    select * from {{ ref('stg_subsidies__grants') }}

),

budget_lines as (

    select * from {{ ref('stg_finance__budget_lines') }}

),

-- the iStandaarden messages each message mart reads
message_marts as (

    select
        mart_name,
        message_type

    from (
        values
        ('care_usage_quarterly', '323'),
        ('care_usage_quarterly', '325'),
        ('care_usage_by_district_quarterly', '323'),
        ('care_usage_by_district_quarterly', '325'),
        ('care_usage_by_district_quarterly', '301'),
        ('waiting_times_quarterly', '315'),
        ('waiting_times_quarterly', '301'),
        ('waiting_times_quarterly', '319'),
        ('waiting_times_quarterly', '305'),
        ('waiting_times_by_breakdown_quarterly', '315'),
        ('waiting_times_by_breakdown_quarterly', '301'),
        ('waiting_times_by_breakdown_quarterly', '319'),
        ('waiting_times_by_breakdown_quarterly', '305'),
        ('message_norm_compliance_quarterly', '315'),
        ('message_norm_compliance_quarterly', '301'),
        ('message_norm_compliance_quarterly', '319'),
        ('message_norm_compliance_quarterly', '305'),
        ('message_norm_compliance_quarterly', '307')
    ) as listed (mart_name, message_type)

),

-- the CBS datasets each CBS mart reads; null: every dataset
cbs_marts as (

    select
        mart_name,
        dataset

    from (
        values
        ('ses_scores', 'ses_woa'),
        ('population_by_district', 'kwb'),
        ('benefit_recipients', 'uitkeringen'),
        ('benefit_recipients', 'kwb'),
        ('dim_region', null),
        ('dim_region_history', null)
    ) as listed (mart_name, dataset)

),

cbs_files as (

    select distinct
        dataset,
        source_file,
        file_hash,
        loaded_at

    from cbs_observations

),

source_files as (

    select
        message_marts.mart_name,
        messages.message_date,
        messages.source_file,
        messages.file_hash,
        messages.loaded_at

    from message_marts
    inner join messages
        on message_marts.message_type = messages.message_type

    union all

    select
        cbs_marts.mart_name,
        null::date as message_date,
        cbs_files.source_file,
        cbs_files.file_hash,
        cbs_files.loaded_at

    from cbs_marts
    inner join cbs_files
        on cbs_marts.dataset is null or cbs_marts.dataset = cbs_files.dataset

    union all

    select distinct
        'benefit_recipients' as mart_name,
        null::date as message_date,
        source_file,
        null as file_hash,
        loaded_at

    from municipal_benefits

    union all

    select distinct
        'procedure_times_quarterly' as mart_name,
        null::date as message_date,
        source_file,
        file_hash,
        loaded_at

    from procedures

    union all

    select distinct
        grant_marts.mart_name,
        null::date as message_date,
        grants.source_file,
        grants.file_hash,
        grants.loaded_at

    from grants
    cross join (
        values ('subsidies_by_theme_year'), ('subsidies_by_recipient_year')
    ) as grant_marts (mart_name)

    union all

    -- a budget file's date is its peildatum (the report version); the declarations beside it
    -- are the care marts' and dated there
    select distinct
        'budget_realisation' as mart_name,
        peildatum as message_date,
        source_file,
        file_hash,
        loaded_at

    from budget_lines

),

-- every mart this model knows, with its source named in Dutch, files loaded or not
listed_marts as (

    select
        mart_name,
        'iWmo/iJw-berichten ' || string_agg(message_type, '/' order by message_type)
            as source_name

    from message_marts
    group by mart_name

    union all

    select distinct
        mart_name,
        'CBS-bestanden' as source_name

    from cbs_marts

    union all

    select
        mart_name,
        source_name

    from (
        values
        ('procedure_times_quarterly', 'Zaakexport'),
        ('subsidies_by_theme_year', 'Subsidieregisters'),
        ('subsidies_by_recipient_year', 'Subsidieregisters'),
        ('budget_realisation', 'Begrotingsbestanden (peildatum) en declaraties 323/325'),
        -- the dimension marts of national code lists: no file, the seed is the source
        ('dim_product_category', 'Codelijst (seed product_categories)'),
        ('dim_unit', 'Codelijst (seed units)'),
        ('dim_referrer_type', 'Codelijst (seed referrer_types)'),
        ('dim_message_norm', 'Codelijst (seed message_norms)'),
        ('dim_procedure_norm', 'Codelijst (seed procedure_norms)')
    ) as listed (mart_name, source_name)

),

newest as (

    select
        mart_name,
        max(message_date) as newest_message_date,
        (
            array_agg(
                source_file order by message_date desc nulls last, loaded_at desc, source_file asc
            )
        )[1] as newest_file,
        (
            array_agg(
                loaded_at order by message_date desc nulls last, loaded_at desc, source_file asc
            )
        )[1] as newest_file_loaded_at,
        count(distinct coalesce(file_hash, source_file)) as source_files

    from source_files
    group by mart_name

),

final as (

    select
        listed_marts.mart_name::text as mart_name,
        listed_marts.source_name::text as source_name,
        newest.newest_message_date::date as newest_message_date,
        newest.newest_file::text as newest_file,
        newest.newest_file_loaded_at::timestamptz as newest_file_loaded_at,
        coalesce(newest.source_files, 0)::integer as source_files

    from listed_marts
    left join newest
        on listed_marts.mart_name = newest.mart_name

)

select * from final
