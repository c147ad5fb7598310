{% macro parse_amount(column, scale=4) -%}
    {#- Text to an exact decimal with `scale` places (18 digits in all); a
        decimal comma (12,50) reads as 12.50. Blank or non-numeric text
        becomes null. Casting with 10 places beside 4 tells whether an
        amount would be rounded: the rows checks reject it instead. -#}
    try_cast(
        case
            when contains({{ column }}, ',')
                then regexp_replace({{ column }}, '^(-?[0-9]+),([0-9]+)$', '\1.\2')
            else {{ column }}
        end as decimal({{ 18 + scale - 4 }}, {{ scale }})
    )
{%- endmacro %}
