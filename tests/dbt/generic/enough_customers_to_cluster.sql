{#- Fails when the model has fewer rows than clustering needs: the k asked
    for by the `k` var, and never fewer than `minimum` (settings.MIN_CUSTOMERS,
    which a test ties to the argument given in the YAML). -#}
{% test enough_customers_to_cluster(model, minimum) %}

{%- set asked = var('k', '') | string | trim -%}
{%- set minimum = [minimum, asked | int if asked else 0] | max %}

select count(*) as customers
from {{ model }}
having count(*) < {{ minimum }}

{% endtest %}
