{% macro has_whole_number_ids(relation, column) -%}
    {#- True when every id of the relation's column is blank or a whole number
        written as one (optional sign, digits): only then are 0007 and 7 the
        same customer. `1.5` or `2.17e2` would otherwise be rounded into
        another customer's id. -#}
    (
        select
            bool_and(
                {{ raw_text(column) }} is null
                or (
                    {{ full_match(raw_text(column), '[+-]?[0-9]+') }}
                    and try_cast(
                        {{ raw_text(column) }} as {{ whole_number_type() }}
                    ) is not null
                )
            )
        from {{ relation }}
    )
{%- endmacro %}

{% macro canonical_id(raw_id, whole_number_ids) -%}
    {#- The id as the customer's key: whole numbers without their zeros or
        sign (whole_number_type holds 38 digits) when every
        id of the file is one, else the id exactly as written. -#}
    case
        when {{ whole_number_ids }}
            then cast(
                cast({{ raw_id }} as {{ whole_number_type() }})
                as {{ dbt.type_string() }}
            )
        else {{ raw_id }}
    end
{%- endmacro %}
