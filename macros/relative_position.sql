{% macro relative_position(value, mean, sd) -%}
    {#- Where a segment's average sits against the whole population, in
        population standard deviations: the words segment descriptions use.
        Within a quarter of a deviation reads as average; more than one
        deviation away reads as well above or below. -#}
    case
        when {{ sd }} = 0 or {{ sd }} is null then 'about average'
        when ({{ value }} - {{ mean }}) / {{ sd }} > 1 then 'well above average'
        when ({{ value }} - {{ mean }}) / {{ sd }} > 0.25 then 'above average'
        when ({{ value }} - {{ mean }}) / {{ sd }} < -1 then 'well below average'
        when ({{ value }} - {{ mean }}) / {{ sd }} < -0.25 then 'below average'
        else 'about average'
    end
{%- endmacro %}
