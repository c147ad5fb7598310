{#- One row per usable customer: no rejects, one copy of repeated rows. -#}

with

checked_rows as (

    select
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score,
        reject_reason,
        has_repeated_id
    from {{ ref('int_customer_rows_checked') }}

),

single_rows as (

    select
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score
    from checked_rows
    where reject_reason is null and not has_repeated_id

),

repeated_rows_once as (

    -- the copies of a repeated id are identical: any one is the customer
    select distinct
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score
    from checked_rows
    where has_repeated_id

),

one_row_per_customer as (

    select * from single_rows
    union all
    select * from repeated_rows_once

),

usable as (

    select
        customer_id,
        gender,
        cast(age as {{ dbt.type_int() }}) as age,
        annual_income_k,
        cast(spending_score as {{ dbt.type_int() }}) as spending_score
    from one_row_per_customer

)

select * from usable
