{% macro parse_amount(column) -%}
    {#- Text to an exact decimal with 4 places (18 digits in all); a decimal
        comma (12,50) reads as 12.50. Blank or non-numeric text becomes null.
        A value with more places is rounded here: the row checks compare it
        with parse_number's double of the same text and reject it instead. -#}
    try_cast({{ decimal_point(column) }} as decimal(18, 4))
{%- endmacro %}
