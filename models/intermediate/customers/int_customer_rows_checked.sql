{#- Every input row with the first rule it breaks (reject_reason) and whether
    it repeats an earlier row exactly (is_duplicate_row). Nothing is dropped
    here, so input rows = clean + duplicates + rejects can be checked. -#}

with

customers as (

    select * from {{ ref('stg_customer_file__customers') }}

),

row_checks as (

    -- the first failing rule wins, so each rejected row has one reason
    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when raw_age is null then 'missing_age'
            when age is null then 'non_numeric_age'
            when raw_annual_income is null then 'missing_annual_income'
            when annual_income_k is null then 'non_numeric_annual_income'
            when raw_spending_score is null then 'missing_spending_score'
            when spending_score is null then 'non_numeric_spending_score'
            when age != floor(age) then 'age_not_whole_number'
            when age not between 0 and 120 then 'age_out_of_range'
            when annual_income_k < 0 then 'negative_annual_income'
            when
                spending_score != floor(spending_score)
                then 'spending_score_not_whole_number'
            when
                spending_score not between 1 and 100
                then 'spending_score_out_of_range'
        end as row_reject_reason
    from customers

),

customer_versions as (

    select distinct
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score
    from row_checks
    where row_reject_reason is null

),

conflicting_ids as (

    -- one id, several versions of the customer: no copy can be trusted
    select customer_id
    from customer_versions
    group by customer_id
    having count(*) > 1

),

reasons as (

    select
        row_checks.source_row_number,
        row_checks.source_file,
        row_checks.customer_id,
        row_checks.gender,
        row_checks.raw_customer_id,
        row_checks.raw_gender,
        row_checks.raw_age,
        row_checks.raw_annual_income,
        row_checks.raw_spending_score,
        row_checks.age,
        row_checks.annual_income_k,
        row_checks.spending_score,
        coalesce(
            row_checks.row_reject_reason,
            case
                when conflicting_ids.customer_id is not null
                    then 'conflicting_duplicate_id'
            end
        ) as reject_reason
    from row_checks
    left join conflicting_ids
        on row_checks.customer_id = conflicting_ids.customer_id

),

duplicates as (

    select
        *,
        reject_reason is null
        and row_number() over (
            partition by
                customer_id, gender, age, annual_income_k, spending_score
            order by source_row_number
        ) > 1 as is_duplicate_row
    from reasons

)

select * from duplicates
