{% macro parse_number(column, decimal_mark) -%}
    {#- Text to double, in the file's number style (see decimal_point).
        Blank, non-numeric and non-finite text (nan, inf) become null; the
        raw text stays beside it so a reject can say which it was. -#}
    {%- set number = text_to_double(decimal_point(column, decimal_mark)) -%}
    case
        when {{ is_finite('coalesce(' ~ number ~ ', 0)') }}
            then {{ number }}
    end
{%- endmacro %}
