-- The care-spend mapping seed as finance edits it: every law x product category exists in
-- product_categories, every budget line has one taakveld, and no row uses the reserved code
-- NIET_GEKOPPELD (the budget_realisation row for spend no budget line takes). Returns one row
-- per violation.

with

mapping as (

    select * from {{ ref('care_spend_budget_lines') }}

),

unknown_categories as (

    select
        mapping.budget_line,
        mapping.law || ' ' || mapping.product_category || ' is not in product_categories'
            as violation

    from mapping

    left join {{ ref('product_categories') }} as categories
        on mapping.law = categories.law
        and mapping.product_category = categories.product_category

    where categories.product_category is null

),

lines_with_two_taakvelden as (

    select
        budget_line,
        budget_line || ' has taakvelden ' || string_agg(distinct taakveld, ', ') as violation

    from mapping
    group by budget_line
    having count(distinct taakveld) > 1

),

reserved as (

    select
        budget_line,
        'NIET_GEKOPPELD is reserved for unmapped spend' as violation

    from mapping
    where budget_line = 'NIET_GEKOPPELD'

)

select * from unknown_categories
union all
select * from lines_with_two_taakvelden
union all
select * from reserved
