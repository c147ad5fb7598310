{% macro decimal_point(column, decimal_mark) -%}
    {#- Number text in the file's style rewritten as plain digits with a
        decimal point, for a cast. `decimal_mark` is an SQL expression, '.'
        or ',' (see input_format): the other mark may only separate
        thousands, in groups of three (1,234.50 or 1.234,50); anywhere else
        it makes the value non-numeric, never a decimal point. Text without
        either mark is returned as it is; the patterns only run on text
        that has one. -#}
    case
        when not contains({{ column }}, ',') and not contains({{ column }}, '.')
            then {{ column }}
        when {{ decimal_mark }} = ','
            then case
                when {{ full_match(column, "[+-]?[0-9]{1,3}([.][0-9]{3})*(,[0-9]*)?") }}
                    then replace(replace({{ column }}, '.', ''), ',', '.')
                when not contains({{ column }}, '.')
                    then replace({{ column }}, ',', '.')
            end
        when contains({{ column }}, ',')
            then case
                when {{ full_match(column, "[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]*)?") }}
                    then replace({{ column }}, ',', '')
            end
        else {{ column }}
    end
{%- endmacro %}
