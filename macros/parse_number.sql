{% macro parse_number(column, decimal_mark) -%}
    {#- Text to double, in the file's number style (see decimal_point).
        Blank, non-numeric and non-finite text (nan, inf) become null; the
        raw text stays beside it so a reject can say which it was. -#}
    case
        when
            isfinite(
                coalesce(
                    try_cast({{ decimal_point(column, decimal_mark) }} as double),
                    0
                )
            )
            then try_cast({{ decimal_point(column, decimal_mark) }} as double)
    end
{%- endmacro %}
