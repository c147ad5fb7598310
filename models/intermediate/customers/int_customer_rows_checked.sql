{#- Every input row with the first rule it breaks (reject_reason) and whether
    it repeats an earlier row exactly (is_duplicate_row). Nothing is dropped
    here, so input rows = clean + duplicates + rejects can be checked.

    A table, not a view: the input file is read here once, and the clean
    customers, the audit and their tests all start from it. It keeps the
    typed values only; rejected_customers takes the raw text of its few rows
    from staging, because storing every row's raw text here would double the
    cost of this table. -#}
{{ config(materialized='table') }}

with

customers as (

    select * from {{ ref('stg_customer_file__customers') }}

),

row_checks as (

    -- the first failing rule wins, so each rejected row has one reason
    select
        source_row_number,
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score,
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
    select hash(customer_id) as customer_id_hash
    from row_checks
    where row_reject_reason is null
    group by customer_id_hash
    having count(*) > 1

),

id_versions as (

    -- per repeated id: is there more than one version of the customer, and
    -- which row came first? Min and max per column answer both exactly in
    -- one aggregate; a window would sort every row. Ids seen once are left
    -- out, so the join below is a lookup in a small table instead of a
    -- second table as large as the input.
    select
        customer_id,
        min(source_row_number) as first_row_number,
        min(gender) != max(gender)
        or min(age) != max(age)
        or min(annual_income_k) != max(annual_income_k)
        or min(spending_score)
        != max(spending_score) as has_conflicting_versions
    from row_checks
    where
        row_reject_reason is null
        and hash(customer_id) in (
            select repeated_id_hashes.customer_id_hash
            from repeated_id_hashes
        )
    group by customer_id
    having count(*) > 1

),

reasons as (

    select
        row_checks.source_row_number,
        row_checks.customer_id,
        row_checks.gender,
        row_checks.age,
        row_checks.annual_income_k,
        row_checks.spending_score,
        id_versions.first_row_number,
        coalesce(
            row_checks.row_reject_reason,
            -- one id, several versions of the customer: no copy can be trusted
            case
                when id_versions.has_conflicting_versions
                    then 'conflicting_duplicate_id'
            end
        ) as reject_reason
    from row_checks
    left join id_versions
        on row_checks.customer_id = id_versions.customer_id

),

duplicates as (

    -- a usable id has one version, so its later rows repeat the first
    select
        source_row_number,
        customer_id,
        gender,
        age,
        annual_income_k,
        spending_score,
        reject_reason,
        reject_reason is null
        and coalesce(
            source_row_number > first_row_number, false
        ) as is_duplicate_row
    from reasons

)

select * from duplicates
