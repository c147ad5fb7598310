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
        is_duplicate_row
    from {{ ref('int_customer_rows_checked') }}

),

usable as (

    select
        customer_id,
        gender,
        cast(age as {{ dbt.type_int() }}) as age,
        annual_income_k,
        cast(spending_score as {{ dbt.type_int() }}) as spending_score
    from checked_rows
    where reject_reason is null and not is_duplicate_row

)

select * from usable
