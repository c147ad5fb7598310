with

checked_rows as (

    select
        source_file,
        source_row_number,
        raw_customer_id,
        raw_gender,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        reject_reason
    from {{ ref('int_customer_rows_checked') }}

),

reject_reasons as (

    select
        reject_reason,
        description
    from {{ ref('reject_reasons') }}

),

rejected as (

    select
        checked_rows.source_file,
        checked_rows.source_row_number,
        checked_rows.raw_customer_id as customer_id,
        checked_rows.raw_gender as gender,
        checked_rows.raw_age as age,
        checked_rows.raw_annual_income as annual_income_k,
        checked_rows.raw_spending_score as spending_score,
        checked_rows.reject_reason,
        reject_reasons.description as reject_description
    from checked_rows
    left join reject_reasons
        on checked_rows.reject_reason = reject_reasons.reject_reason
    where checked_rows.reject_reason is not null

)

select * from rejected
