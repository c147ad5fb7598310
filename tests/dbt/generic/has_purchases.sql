{#- Fails when a transactions file has usable lines but not one purchase a
    customer made (a positive amount with a customer id): a file of returns
    only would otherwise publish buyers who never bought. `segments run`
    turns a failure into one line naming the file. -#}
{% test has_purchases(model) %}

select count(*) as usable_rows
from {{ model }}
where reject_reason is null
having
    count(*) > 0
    and count(*) filter (where amount > 0 and not is_anonymous) = 0

{% endtest %}
