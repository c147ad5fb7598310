with

rejected_rows as (

    select
        source_row_number,
        reject_reason
    from {{ ref('int_customer_rows_checked') }}
    where reject_reason is not null

),

raw_rows as (

    -- the text as read: int_customer_rows_checked keeps typed values only
    select
        source_file,
        source_row_number,
        raw_customer_id,
        raw_gender,
        raw_age,
        raw_annual_income,
        raw_spending_score
    from {{ ref('stg_customer_file__customers') }}

),

reject_reasons as (

    select
        reject_reason,
        description
    from {{ ref('reject_reasons') }}

),

rejected as (

    select
        raw_rows.source_file,
        rejected_rows.source_row_number,
        raw_rows.raw_customer_id as customer_id,
        raw_rows.raw_gender as gender,
        raw_rows.raw_age as age,
        raw_rows.raw_annual_income as annual_income_k,
        raw_rows.raw_spending_score as spending_score,
        rejected_rows.reject_reason,
        reject_reasons.description as reject_description
    from rejected_rows
    inner join raw_rows
        on rejected_rows.source_row_number = raw_rows.source_row_number
    left join reject_reasons
        on rejected_rows.reject_reason = reject_reasons.reject_reason

)

select * from rejected
