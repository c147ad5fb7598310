{#- Every transaction row that could not be used, as it was read, with the
    reason (codes in the transaction_reject_reasons seed). -#}

with

checked_rows as (

    select
        source_row_number,
        reject_reason
    from {{ ref('int_transaction_rows_checked') }}
    where reject_reason is not null

),

transactions as (

    select * from {{ ref('stg_transaction_file__transactions') }}

),

rejected as (

    select
        checked_rows.source_row_number,
        checked_rows.reject_reason,
        transactions.raw_customer_id,
        transactions.raw_purchase_date,
        transactions.raw_amount,
        transactions.order_id as raw_order_id,
        transactions.raw_quantity,
        transactions.raw_unit_price
    from checked_rows
    inner join transactions
        on checked_rows.source_row_number = transactions.source_row_number

)

select * from rejected
