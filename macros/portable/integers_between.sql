{% macro integers_between(low, high) -%}
    {#- A select-list expression that turns a row into one row per integer
        from `low` to `high`, both included. -#}
    {{ return(adapter.dispatch('integers_between')(low, high)) }}
{%- endmacro %}

{% macro duckdb__integers_between(low, high) -%}
    unnest(range({{ low }}, {{ high }} + 1))
{%- endmacro %}

{% macro spark__integers_between(low, high) -%}
    explode(sequence({{ low }}, {{ high }}))
{%- endmacro %}
