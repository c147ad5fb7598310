{% macro text_to_double(text) -%}
    {#- Text written as a decimal number (optional sign, digits, point,
        exponent) or as nan / inf / infinity, to a double; anything else
        null. -#}
    {{ return(adapter.dispatch('text_to_double')(text)) }}
{%- endmacro %}

{% macro duckdb__text_to_double(text) -%}
    {#- DuckDB's cast also reads 1_000 as 1000 (digit separators, as in its
        SQL), which no export means: kept out. -#}
    case when instr({{ text }}, '_') = 0 then try_cast({{ text }} as double) end
{%- endmacro %}

{% macro spark__text_to_double(text) -%}
    {#- Spark's cast also reads Java's forms (15d, 1.5f, hexadecimal), which
        DuckDB, the reference, rejects: those are kept out first. -#}
    case
        when {{ full_match(
            text,
            '(?i)[+-]?([0-9]+[.]?[0-9]*([e][+-]?[0-9]+)?|[.][0-9]+([e][+-]?[0-9]+)?|nan|inf|infinity)'
        ) }}
            then try_cast({{ text }} as double)
    end
{%- endmacro %}
