{% macro hash64(columns) -%}
    {#- A 64-bit hash of the listed column expressions, for grouping and
        duplicate checks inside one run (never published: the engines'
        values differ). -#}
    {{ return(adapter.dispatch('hash64')(columns)) }}
{%- endmacro %}

{% macro duckdb__hash64(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__hash64(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
