{#- The registered transactions file, or no rows (see transaction_input). -#}
{%- set input = transaction_input() -%}

with

source as (

    select * from {{ input }}

),

numbered as (

    -- file order: scans keep insertion order, so this is the data row number
    select
        *,
        row_number() over () as source_row_number
    from source

),

trimmed as (

    select
        source_row_number,
        source_file,
        {{ raw_text('customer_id') }} as raw_customer_id,
        {{ raw_text('purchase_date') }} as raw_purchase_date,
        {{ raw_text('amount') }} as raw_amount,
        {{ raw_text('order_id') }} as raw_order_id,
        {{ raw_text('quantity') }} as raw_quantity,
        {{ raw_text('unit_price') }} as raw_unit_price
    from numbered

),

id_format as (

    -- the customer file's rule, applied to this file's ids on their own
    select {{ has_whole_number_ids(input, 'customer_id') }} as has_numeric_ids

),

renamed as (

    select
        -- ids
        trimmed.source_row_number,
        {{ canonical_id(
            'trimmed.raw_customer_id', 'id_format.has_numeric_ids'
        ) }} as customer_id,
        trimmed.raw_order_id as order_id,

        -- strings
        trimmed.source_file,
        trimmed.raw_customer_id,
        trimmed.raw_purchase_date,
        trimmed.raw_amount,
        trimmed.raw_quantity,
        trimmed.raw_unit_price,

        -- dates: the date as written, whatever time or zone follows it.
        -- Casts, not regular expressions: on ten million rows a regular
        -- expression per row cost 15 s, the casts 1.5 s.
        coalesce(
            try_cast(trimmed.raw_purchase_date as date),
            case
                when length(trimmed.raw_purchase_date) = 8
                    then cast(
                        try_strptime(trimmed.raw_purchase_date, '%Y%m%d')
                        as date
                    )
                when substr(trimmed.raw_purchase_date, 11, 1) in (' ', 'T')
                    then try_cast(left(trimmed.raw_purchase_date, 10) as date)
            end
        ) as purchase_date,

        -- numerics: amounts as exact decimals, so totals add up to the cent;
        -- the same text as a double tells whether four places round it
        {{ parse_amount('trimmed.raw_amount') }} as line_amount,
        {{ parse_amount('trimmed.raw_unit_price') }} as unit_price,
        {{ parse_number('trimmed.raw_quantity') }} as quantity,
        {{ parse_number('trimmed.raw_amount') }} as line_amount_value,
        {{ parse_number('trimmed.raw_unit_price') }} as unit_price_value

    from trimmed
    cross join id_format

)

select * from renamed
