{#- Fails when the model has fewer rows than clustering needs: the k asked
    for by the `k` var, and never fewer than 3 (the elbow compares k >= 2,
    and silhouette needs more customers than clusters). -#}
{% test enough_customers_to_cluster(model) %}

{%- set asked = var('k', '') | string | trim -%}
{%- set minimum = [3, asked | int if asked else 0] | max %}

select count(*) as customers
from {{ model }}
having count(*) < {{ minimum }}

{% endtest %}
