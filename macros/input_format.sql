{% macro input_format(file_kind, input) -%}
    {#- One row: how to read the input of `file_kind` (customers or
        transactions): decimal_mark ('.' or ','), date_order (day_first,
        month_first, or null) and whole_number_ids (true when every id of
        every input file is a whole number, so 0007 and 7 are one customer in
        both). `segments run` decides these from the files' own values
        (formats.py) and registers them in run_input.file_formats; where it
        has not (a plain `dbt build` on the demo seed) the decimal point is
        assumed and the ids are checked here, in this input alone. -#}
    {%- set formats = source('run', 'file_formats') -%}
    {%- if execute and model.resource_type != 'unit_test'
        and load_relation(formats) is none -%}
        {%- set formats -%}
            (
                select
                    cast(null as {{ dbt.type_string() }}) as file_kind,
                    cast(null as {{ dbt.type_string() }}) as decimal_mark,
                    cast(null as {{ dbt.type_string() }}) as date_order,
                    cast(null as boolean) as whole_number_ids
                where false
            )
        {%- endset -%}
    {%- endif -%}
    (
        select
            coalesce(
                (
                    select registered.decimal_mark
                    from {{ formats }} as registered
                    where registered.file_kind = '{{ file_kind }}'
                ),
                '.'
            ) as decimal_mark,
            (
                select registered.date_order
                from {{ formats }} as registered
                where registered.file_kind = '{{ file_kind }}'
            ) as date_order,
            coalesce(
                (
                    select registered.whole_number_ids
                    from {{ formats }} as registered
                    where registered.file_kind = '{{ file_kind }}'
                ),
                {{ has_whole_number_ids(input, 'customer_id') }}
            ) as whole_number_ids
    )
{%- endmacro %}
