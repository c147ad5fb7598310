{#- Fails unless the table (rows matching row_condition, if given) has
    exactly `value` rows. Same name and arguments as the dbt-expectations
    test, written here for the reason given in accepted_range.sql. -#}
{% test expect_table_row_count_to_equal(model, value, row_condition=none) %}

select count(*) as row_count
from {{ model }}
{%- if row_condition %}
where {{ row_condition }}
{%- endif %}
having count(*) != {{ value }}

{% endtest %}
