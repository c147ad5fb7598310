{% macro number_text(value, places) -%}
    {#- A number as text with `places` decimals, halves rounded to even
        (DuckDB's fmt, the reference); null stays null. -#}
    {{ return(adapter.dispatch('number_text')(value, places)) }}
{%- endmacro %}

{% macro duckdb__number_text(value, places) -%}
    format('{:.{{ places }}f}', {{ value }})
{%- endmacro %}

{% macro spark__number_text(value, places) -%}
    {#- Java's %f rounds halves up (bround first rounds them to even) and
        writes a null as text. -#}
    case
        when {{ value }} is not null
            then format_string(
                '%.{{ places }}f',
                bround(cast({{ value }} as double), {{ places }})
            )
    end
{%- endmacro %}
