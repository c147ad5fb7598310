{#- The registered transactions file, or no rows (see transaction_input). -#}
{%- set input = transaction_input() -%}

with

source as (

    select * from {{ input }}

),

trimmed as (

    select
        source_file,
        {{ transaction_raw_texts() }}
    from source

),

file_format as (

    -- decimal mark, date order and id form, decided from the files by
    -- `segments run`: ids in the same form as the customer file's
    select * from {{ input_format('transactions', input) }}

),

renamed as (

    select
        -- ids
        {{ canonical_id(
            'trimmed.raw_customer_id', 'file_format.whole_number_ids'
        ) }} as customer_id,
        trimmed.raw_order_id as order_id,

        -- strings
        trimmed.source_file,
        trimmed.raw_customer_id,
        trimmed.raw_purchase_date,
        trimmed.raw_amount,
        trimmed.raw_quantity,
        trimmed.raw_unit_price,

        -- dates: the date as written, whatever time or zone follows it
        {{ parse_date(
            'trimmed.raw_purchase_date', 'file_format.date_order'
        ) }} as purchase_date,

        -- numerics: amounts and quantities as exact decimals, so totals and
        -- unit price x quantity add up to the cent; the same text as a
        -- double tells whether four places round it
        {{ parse_amount(
            'trimmed.raw_amount', 'file_format.decimal_mark'
        ) }} as line_amount,
        {{ parse_amount(
            'trimmed.raw_unit_price', 'file_format.decimal_mark'
        ) }} as unit_price,
        {{ parse_amount(
            'trimmed.raw_quantity', 'file_format.decimal_mark'
        ) }} as quantity,
        {{ parse_number(
            'trimmed.raw_amount', 'file_format.decimal_mark'
        ) }} as line_amount_value,
        {{ parse_number(
            'trimmed.raw_unit_price', 'file_format.decimal_mark'
        ) }} as unit_price_value,
        {{ parse_number(
            'trimmed.raw_quantity', 'file_format.decimal_mark'
        ) }} as quantity_value

    from trimmed
    cross join file_format

)

select * from renamed
