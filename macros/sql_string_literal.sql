{% macro sql_string_literal(value) -%}
    {#- A value as a single-quoted SQL literal, quotes doubled, so text from
        outside (a file name) can never end the string early. -#}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
