{#- Rows where the expression is not true. Same name and arguments as
    dbt_utils.expression_is_true, written here for the reason given in
    accepted_range.sql. -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
