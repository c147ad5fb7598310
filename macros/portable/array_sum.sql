{% macro array_sum(numbers) -%}
    {#- The sum of a list of doubles. -#}
    {{ return(adapter.dispatch('array_sum')(numbers)) }}
{%- endmacro %}

{% macro duckdb__array_sum(numbers) -%}
    list_sum({{ numbers }})
{%- endmacro %}

{% macro spark__array_sum(numbers) -%}
    aggregate({{ numbers }}, cast(0 as double), (total, x) -> total + x)
{%- endmacro %}
