-- Care spend from the declarations, ready to set beside the budget: declared, rejected and
-- accepted euros per municipality x law x product category x ProductPeriode/Begindatum (the
-- date that decides a line's quarter in the care marts, so a credit lands with its debit),
-- with the budget line and taakveld the care_spend_budget_lines seed maps it to (null when
-- the seed has no row for the category). Day grain, not month, so a budget version can take
-- exactly the lines that begin on or before its peildatum; month_start rolls it up by month.

with

lines as (

    select * from {{ ref('int_declaration_lines_assessed') }}

),

mapping as (

    select * from {{ ref('care_spend_budget_lines') }}

),

spend as (

    select
        municipality_code,
        law,
        product_category,
        period_start,
        {{ care_amount_sums() }}

    from lines
    group by municipality_code, law, product_category, period_start

),

mapped as (

    select
        spend.municipality_code,
        spend.law,
        spend.product_category,
        spend.period_start,
        date_trunc('month', spend.period_start)::date as month_start,
        mapping.budget_line,
        mapping.taakveld,
        spend.declared_amount_eur::numeric(14, 2) as declared_amount_eur,
        spend.rejected_amount_eur::numeric(14, 2) as rejected_amount_eur,
        spend.accepted_amount_eur::numeric(14, 2) as accepted_amount_eur

    from spend

    left join mapping
        on spend.law = mapping.law
        and spend.product_category = mapping.product_category

)

select * from mapped
