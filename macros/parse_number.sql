{% macro parse_number(column) -%}
    {#- Text to double. A decimal comma (15,5) reads as 15.5. Blank,
        non-numeric and non-finite text (nan, inf) become null; the raw text
        stays beside it so a reject can say which it was. -#}
    case
        when isfinite({{ _number_or_null(column) }})
            then {{ _number_or_null(column) }}
    end
{%- endmacro %}

{% macro _number_or_null(column) -%}
    try_cast(
        regexp_replace({{ column }}, '^(-?[0-9]+),([0-9]+)$', '\1.\2') as double
    )
{%- endmacro %}
