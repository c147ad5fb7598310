{% macro parse_amount(column, decimal_mark) -%}
    {#- Text to an exact decimal with 4 places (18 digits in all), in the
        file's number style (see decimal_point). Blank or non-numeric text
        becomes null. A value with more places is rounded here: the row
        checks compare it with parse_number's double of the same text and
        reject it instead. -#}
    {#- DuckDB's cast reads 1_000 as 1000: no export means that, kept out. -#}
    case
        when instr({{ column }}, '_') = 0
            then try_cast(
                {{ decimal_point(column, decimal_mark) }} as decimal(18, 4)
            )
    end
{%- endmacro %}
