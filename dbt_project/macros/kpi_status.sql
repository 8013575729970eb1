{#-
  The status of a KPI value against its norm or target, for marts.kpi_scorecard: one rule, so a
  controller reads one definition (dbt_project/models/marts/controllers/kpi_scorecard.yml).

  Labels are Dutch because council members read them:
  - 'onderdrukt': the value is suppressed (a small cell, or a cell CBS keeps secret); checked
    first, so a hidden value never says whether it met its target;
  - 'geen_norm': no norm or target applies (none in seeds kpi_targets / procedure_norms);
  - 'op_koers': direction 'max' (the target is a ceiling) and value <= target, or direction
    'min' (the target is a floor) and value >= target; exactly on the target is on course;
  - 'afwijking': otherwise.
-#}
{% macro kpi_status(value, target, direction, suppressed) %}
    case
        when {{ suppressed }} then 'onderdrukt'
        when {{ target }} is null then 'geen_norm'
        when {{ direction }} = 'max' and {{ value }} <= {{ target }} then 'op_koers'
        when {{ direction }} = 'min' and {{ value }} >= {{ target }} then 'op_koers'
        else 'afwijking'
    end
{% endmacro %}
