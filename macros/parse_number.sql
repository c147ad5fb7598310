{% macro parse_number(column) -%}
    {#- Text to double. A decimal comma (15,5) reads as 15.5. Blank,
        non-numeric and non-finite text (nan, inf) become null; the raw text
        stays beside it so a reject can say which it was. -#}
    case
        when isfinite(coalesce(try_cast({{ column }} as double), 0))
            then try_cast({{ decimal_point(column) }} as double)
    end
{%- endmacro %}
