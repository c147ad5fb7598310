{#- Every input row with the first rule it breaks (reject_reason) and
    whether its id is repeated by identical rows (has_repeated_id). Nothing
    is dropped here, so input rows = clean + duplicates + rejects can be
    checked.

    A table, not a view: the input file is read and parsed here once, and
    the clean customers, the audit and their tests all start from it. Rows
    are not numbered: numbering the rows of a file in order runs on one
    thread, so the source line of a rejected row is found afterwards, only
    when there is one (rejected_customers), from the text it keeps here. A
    clean row keeps its typed values only. -#}
{{ config(materialized='table') }}

with

customers as (

    select * from {{ ref('stg_customer_file__customers') }}

),

row_checks as (

    -- the first failing rule wins, so each rejected row has one reason
    select
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score,
        raw_customer_id,
        raw_gender,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        case
            when
                raw_customer_id is null
                and raw_gender is null
                and raw_age is null
                and raw_annual_income is null
                and raw_spending_score is null
                then 'blank_row'
            when customer_id is null then 'missing_customer_id'
            when raw_age is null then 'missing_age'
            when age is null then 'non_numeric_age'
            when raw_annual_income is null then 'missing_annual_income'
            when annual_income_k is null then 'non_numeric_annual_income'
            -- beside transactions, a missing score is derived from them
            when
                raw_spending_score is null and not {{ transactions_given() }}
                then 'missing_spending_score'
            when
                raw_spending_score is not null and spending_score is null
                then 'non_numeric_spending_score'
            when age != floor(age) then 'age_not_whole_number'
            when age not between 0 and 120 then 'age_out_of_range'
            when annual_income_k < 0 then 'negative_annual_income'
            when
                annual_income_k > {{ var('max_annual_income_k') }}
                then 'annual_income_out_of_range'
            when
                spending_score != floor(spending_score)
                then 'spending_score_not_whole_number'
            when
                spending_score not between 1 and 100
                then 'spending_score_out_of_range'
        end as row_reject_reason
    from customers

),

repeated_id_hashes as (

    -- ids seen more than once among rows that pass the rules, found by
    -- their 64-bit hash first: grouping every text id with the aggregates
    -- below was the largest cost of this model on large files (see
    -- benchmarks/notes.md), while a count per hash is cheap. Two ids that
    -- share a hash only both go on to the exact check by id.
    select {{ hash64(['customer_id']) }} as customer_id_hash
    from row_checks
    where row_reject_reason is null
    group by customer_id_hash
    having count(*) > 1

),

repeated_ids as (

    -- per repeated id: is there more than one version of the customer?
    -- Min and max per column answer it exactly in one aggregate. Ids seen
    -- once are left out, so the join below is a lookup in a small table.
    select
        customer_id,
        min(gender) != max(gender)
        or min(age) != max(age)
        or min(annual_income_k) != max(annual_income_k)
        or min(spending_score)
        != max(spending_score) as has_conflicting_versions
    from row_checks
    where
        row_reject_reason is null
        and {{ hash64(['customer_id']) }} in (
            select repeated_id_hashes.customer_id_hash
            from repeated_id_hashes
        )
    group by customer_id
    having count(*) > 1

),

reasons as (

    select
        row_checks.customer_id,
        row_checks.gender,
        row_checks.age,
        row_checks.annual_income_k,
        row_checks.spending_score,
        row_checks.raw_customer_id,
        row_checks.raw_gender,
        row_checks.raw_age,
        row_checks.raw_annual_income,
        row_checks.raw_spending_score,
        coalesce(
            row_checks.row_reject_reason,
            -- one id, several versions of the customer: no copy can be trusted
            case
                when repeated_ids.has_conflicting_versions
                    then 'conflicting_duplicate_id'
            end
        ) as reject_reason,
        repeated_ids.customer_id is not null as id_is_repeated
    from row_checks
    left join repeated_ids
        on row_checks.customer_id = repeated_ids.customer_id

),

checked as (

    -- a usable repeated id has one version, so its rows are identical:
    -- int_customers_cleaned keeps one of them
    select
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score,
        reject_reason,
        reject_reason is null and id_is_repeated as has_repeated_id,
        -- the text as read, kept only where rejected_customers needs it
        case
            when reject_reason is not null then raw_customer_id
        end as raw_customer_id,
        case
            when reject_reason is not null then raw_gender
        end as raw_gender,
        case
            when reject_reason is not null then raw_age
        end as raw_age,
        case
            when reject_reason is not null then raw_annual_income
        end as raw_annual_income,
        case
            when reject_reason is not null then raw_spending_score
        end as raw_spending_score
    from reasons

)

select * from checked
