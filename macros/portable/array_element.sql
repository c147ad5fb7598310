{% macro array_element(items, position) -%}
    {#- The list's item at `position`, counted from 1; null past the end. -#}
    {{ return(adapter.dispatch('array_element')(items, position)) }}
{%- endmacro %}

{% macro duckdb__array_element(items, position) -%}
    {{ items }}[{{ position }}]
{%- endmacro %}

{% macro spark__array_element(items, position) -%}
    try_element_at({{ items }}, {{ position }})
{%- endmacro %}
