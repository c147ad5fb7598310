{% macro normalize_gender(column) -%}
    {#- Spellings seen in customer exports; anything else, blank included,
        is Unknown: kept, never rejected. -#}
    case
        when lower(trim({{ column }})) in ('f', 'female', 'w', 'woman')
            then 'Female'
        when lower(trim({{ column }})) in ('m', 'male', 'man')
            then 'Male'
        else 'Unknown'
    end
{%- endmacro %}
