{% macro raw_text(column) -%}
    {#- A text value as read, white space (tabs and stray carriage returns
        included) trimmed from both ends, blank as null. -#}
    nullif(
        trim(
            {{ column }},
            ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
        ),
        ''
    )
{%- endmacro %}
