{#
    iStandaarden send amounts and volumes unsigned with a separate DebetCredit indicator
    (COD043: 'D' debet, 'C' credit). A credit corrects an earlier debit, so it counts negative.
    Any other indicator yields null rather than a silently positive amount.
#}
{% macro signed(column_name, debit_credit_column) -%}
    (case {{ debit_credit_column }}
        when 'D' then {{ column_name }}
        when 'C' then -{{ column_name }}
    end)
{%- endmacro %}
