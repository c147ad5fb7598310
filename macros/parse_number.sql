{% macro parse_number(column) -%}
    {#- Text to double. A decimal comma (15,5) reads as 15.5. Blank,
        non-numeric and non-finite text (nan, inf) become null; the raw text
        stays beside it so a reject can say which it was. The regular
        expression only runs on text with a comma, which most files lack. -#}
    case
        when isfinite(coalesce(try_cast({{ column }} as double), 0))
            then try_cast(
                case
                    when contains({{ column }}, ',')
                        then regexp_replace(
                            {{ column }}, '^(-?[0-9]+),([0-9]+)$', '\1.\2'
                        )
                    else {{ column }}
                end as double
            )
    end
{%- endmacro %}
