{% macro decimal_point(column) -%}
    {#- Number text with a decimal comma (15,5) rewritten with a point; any
        other text unchanged. The regular expression only runs on text with
        a comma, which most files lack. parse_number and parse_amount read
        numbers through it. -#}
    case
        when contains({{ column }}, ',')
            then regexp_replace({{ column }}, '^(-?[0-9]+),([0-9]+)$', '\1.\2')
        else {{ column }}
    end
{%- endmacro %}
