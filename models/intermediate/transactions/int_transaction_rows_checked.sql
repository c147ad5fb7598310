{#- Every transaction row, typed, with the first rule it breaks and what
    kind of line it is. Nothing is dropped here, so rows read = rows used +
    rows rejected (+ rows after rfm_as_of) can be checked, and every used
    row's amount can be traced into customer_rfm.

    A table, not a view: the file is read here once. Rows are not numbered
    (a window in file order runs on one thread): a rejected row keeps its
    text, from which rejected_transactions finds its line, and only when
    there is one. -#}
{{ config(materialized='table') }}

with

transactions as (

    select * from {{ ref('stg_transaction_file__transactions') }}

),

priced as (

    -- unit price x quantity in decimals, exact (36 digits, 8 places): a
    -- product past 4 places or the amount range is rejected, never rounded
    select
        *,
        cast(unit_price as decimal(38, 4)) * quantity as priced_amount
    from transactions

),

row_checks as (

    -- the first failing rule wins, so each rejected row has one reason; a
    -- line without a customer is an anonymous purchase, not a reject
    select
        customer_id,
        order_id,
        purchase_date,
        quantity,
        raw_customer_id,
        raw_purchase_date,
        raw_amount,
        order_id as raw_order_id,
        raw_quantity,
        raw_unit_price,
        -- a file without amounts gives unit price and quantity instead
        coalesce(
            line_amount,
            case
                when
                    abs(priced_amount) < 1e14
                    and priced_amount = round(priced_amount, 4)
                    then cast(priced_amount as decimal(18, 4))
            end
        ) as amount,
        customer_id is null as is_anonymous,
        {{ hash64([
            'raw_customer_id',
            'raw_purchase_date',
            'raw_amount',
            'order_id',
            'raw_quantity',
            'raw_unit_price',
        ]) }} as row_hash,
        case
            when
                raw_customer_id is null
                and raw_purchase_date is null
                and raw_amount is null
                and order_id is null
                and raw_quantity is null
                and raw_unit_price is null
                then 'blank_row'
            when raw_purchase_date is null then 'missing_purchase_date'
            when purchase_date is null then 'unreadable_purchase_date'
            when
                purchase_date < cast('1900-01-01' as date)
                then 'purchase_date_before_1900'
            when
                raw_amount is null
                and (raw_unit_price is null or raw_quantity is null)
                then 'missing_amount'
            when
                raw_quantity is not null and quantity_value is null
                then 'non_numeric_quantity'
            when
                coalesce(line_amount_value, unit_price_value) is null
                then 'non_numeric_amount'
            when
                raw_amount is not null and line_amount is null
                then 'amount_out_of_range'
            when
                raw_amount is not null
                and line_amount_value != cast(line_amount as double)
                then 'amount_too_precise'
            when raw_amount is not null then null
            when
                unit_price is null or quantity is null
                or abs(priced_amount) >= 1e14
                then 'amount_out_of_range'
            when
                unit_price_value != cast(unit_price as double)
                or quantity_value != cast(quantity as double)
                or priced_amount != round(priced_amount, 4)
                then 'amount_too_precise'
        end as reject_reason
    from priced

),

repeated_hashes as (

    -- rows whose raw values hash alike: few, so the exact comparison below
    -- sorts only them, not every row
    select row_hash
    from row_checks
    where reject_reason is null
    group by row_hash
    having count(*) > 1

),

line_kinds as (

    -- an exact repeat is one of several used lines identical in every
    -- column: the copies are alike, so which of them counts as the first
    -- does not matter, and only lines whose hash repeats are compared
    select
        *,
        false as is_exact_duplicate
    from row_checks
    where
        reject_reason is not null
        or row_hash not in (
            select repeated_hashes.row_hash from repeated_hashes
        )
    union all
    select
        *,
        -- the rows of a partition are alike: any order numbers them (Spark
        -- asks for one)
        row_number() over (
            partition by
                row_hash, customer_id, order_id, purchase_date, amount, quantity
            order by row_hash
        ) > 1 as is_exact_duplicate
    from row_checks
    where
        reject_reason is null
        and row_hash in (select repeated_hashes.row_hash from repeated_hashes)

),

flagged as (

    select
        customer_id,
        order_id,
        purchase_date,
        quantity,
        amount,
        is_anonymous,
        reject_reason,
        is_exact_duplicate,
        -- the text as read, kept only where rejected_transactions needs it
        case
            when reject_reason is not null then raw_customer_id
        end as raw_customer_id,
        case
            when reject_reason is not null then raw_purchase_date
        end as raw_purchase_date,
        case
            when reject_reason is not null then raw_amount
        end as raw_amount,
        case
            when reject_reason is not null then raw_order_id
        end as raw_order_id,
        case
            when reject_reason is not null then raw_quantity
        end as raw_quantity,
        case
            when reject_reason is not null then raw_unit_price
        end as raw_unit_price
    from line_kinds

)

select * from flagged
