{% macro number_text(value, places) -%}
    {#- A number as text with `places` decimals, halves rounded to even
        (DuckDB's fmt, the reference). -#}
    {{ return(adapter.dispatch('number_text')(value, places)) }}
{%- endmacro %}

{% macro duckdb__number_text(value, places) -%}
    format('{:.{{ places }}f}', {{ value }})
{%- endmacro %}

{% macro spark__number_text(value, places) -%}
    {#- Java's %f rounds halves up: bround first rounds them to even. -#}
    format_string('%.{{ places }}f', bround({{ value }}, {{ places }}))
{%- endmacro %}
