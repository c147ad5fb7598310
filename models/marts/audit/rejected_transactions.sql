{#- Every transaction row that could not be used, as it was read, with the
    reason (codes in the transaction_reject_reasons seed) and its line.

    As for rejected_customers: the row checks do not number rows, a
    rejected row keeps its text there, a row's reason follows from its text
    alone, so every line with a rejected text is a rejected row. The lines
    are numbered here, directly over the scan, and only when some row was
    rejected. -#}
{%- set checked = ref('int_transaction_rows_checked') -%}

with

rejected_texts as (

    select distinct
        raw_customer_id,
        raw_purchase_date,
        raw_amount,
        raw_order_id,
        raw_quantity,
        raw_unit_price,
        reject_reason
    from {{ checked }}
    where reject_reason is not null

),

file_lines as (

    -- numbered only when some row was rejected (see the macro)
    {{ file_lines(transaction_input(), checked) }}

),

line_texts as (

    -- the text as staging reads it
    select
        source_row_number,
        {{ transaction_raw_texts() }}
    from file_lines

),

rejected as (

    select
        line_texts.source_row_number,
        rejected_texts.reject_reason,
        line_texts.raw_customer_id,
        line_texts.raw_purchase_date,
        line_texts.raw_amount,
        line_texts.raw_order_id,
        line_texts.raw_quantity,
        line_texts.raw_unit_price
    from line_texts
    inner join rejected_texts
        on
            line_texts.raw_customer_id
            is not distinct from rejected_texts.raw_customer_id
            and line_texts.raw_purchase_date
            is not distinct from rejected_texts.raw_purchase_date
            and line_texts.raw_amount
            is not distinct from rejected_texts.raw_amount
            and line_texts.raw_order_id
            is not distinct from rejected_texts.raw_order_id
            and line_texts.raw_quantity
            is not distinct from rejected_texts.raw_quantity
            and line_texts.raw_unit_price
            is not distinct from rejected_texts.raw_unit_price

)

select * from rejected
