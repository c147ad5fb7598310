{% macro raw_text(column) -%}
    {#- A text value as read, white space (tabs and stray carriage returns
        included) trimmed from both ends, blank as null. Trimming a set of
        characters costs more than the rest of the parsing on large files,
        so a value that starts and ends with a printable character (all but
        a few) is taken as it is. -#}
    case
        when ascii({{ column }}) > 32 and ascii(right({{ column }}, 1)) > 32
            then {{ column }}
        else
            nullif({{ trim_white_space(column) }}, '')
    end
{%- endmacro %}
