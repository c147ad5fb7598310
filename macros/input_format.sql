{% macro input_format(file_kind, input) -%}
    {#- One row: how to read the input of `file_kind` (customers or
        transactions): decimal_mark ('.' or ','), date_order (day_first,
        month_first, or null) and whole_number_ids (true when every id of
        every input file is a whole number, so 0007 and 7 are one customer in
        both). `segments run` decides these from the files' own values, in
        the scan that counts their rows (inputs/formats.py), and registers them in
        run_input.file_formats, one row per file kind: read from there, the
        file is not scanned again here. Where no run registered them (a
        plain `dbt build` on the demo seed) the decimal point is assumed and
        the ids are checked here, in this input alone; a unit test gives the
        table as a fixture, with that check as the fallback. -#}
    {%- set formats = source('run', 'file_formats') -%}
    {%- set unit_test = execute and model.resource_type == 'unit_test' -%}
    {%- set registered = execute and not unit_test
        and load_relation(formats) is not none -%}
    {%- if not (registered or unit_test) -%}
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
                {% if registered -%}
                    -- every kind has a row; were one missing, keeping ids
                    -- as written never merges two customers
                    false
                {%- else -%}
                    {{ has_whole_number_ids(input, 'customer_id') }}
                {%- endif %}
            ) as whole_number_ids
    )
{%- endmacro %}
