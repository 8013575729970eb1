{#
    A code list check per law: the column's value must appear in the seed `to` for the row's
    own `law`. The plain relationships test cannot do this, and Wmo and Jeugdwet each have
    their own product categories.
#}
{% test valid_for_law(model, column_name, to, field) %}

select
    model.law,
    model.{{ column_name }}
from {{ model }} as model
left join {{ to }} as code_list
    on code_list.law = model.law
    and code_list.{{ field }} = model.{{ column_name }}
where model.{{ column_name }} is not null
    and code_list.{{ field }} is null

{% endtest %}
