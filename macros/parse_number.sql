{% macro parse_number(column) -%}
    {#- Text to double. Blank, non-numeric and non-finite text (nan, inf)
        become null; the raw text stays beside it so a reject can say which
        it was. -#}
    case
        when isfinite(try_cast(nullif(trim({{ column }}), '') as double))
            then try_cast(nullif(trim({{ column }}), '') as double)
    end
{%- endmacro %}
