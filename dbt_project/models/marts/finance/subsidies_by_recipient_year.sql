-- Subsidy requests and grants per subsidy year x recipient, as the register names the
-- recipient (private persons stay grouped as the register anonymises them).

{{ subsidy_measures(ref('stg_subsidies__grants'), ['subsidy_year', 'recipient']) }}
