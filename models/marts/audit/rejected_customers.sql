{#- Every rejected row of the customer file with its source line.

    int_customer_rows_checked does not number rows (numbering a file in
    order runs on one thread); a rejected row keeps its text there. A row's
    reason follows from its text alone (its id's other rows included), so
    every line of the file with a rejected text is a rejected row: the lines
    are numbered and matched here, and only when some row was rejected, so
    a clean file is never numbered. -#}
{%- set checked = ref('int_customer_rows_checked') -%}

with

rejected_texts as (

    select distinct
        raw_customer_id,
        raw_gender,
        raw_age,
        raw_annual_income,
        raw_spending_score,
        reject_reason
    from {{ checked }}
    where reject_reason is not null

),

file_lines as (

    -- numbered only when some row was rejected (see the macro)
    {{ file_lines(customer_input(), checked) }}

),

line_texts as (

    -- the text as staging reads it
    select
        source_file,
        source_row_number,
        {{ customer_raw_texts() }}
    from file_lines

),

reject_reasons as (

    select
        reject_reason,
        description
    from {{ ref('reject_reasons') }}

),

rejected as (

    select
        line_texts.source_file,
        line_texts.source_row_number,
        line_texts.raw_customer_id as customer_id,
        line_texts.raw_gender as gender,
        line_texts.raw_age as age,
        line_texts.raw_annual_income as annual_income_k,
        line_texts.raw_spending_score as spending_score,
        rejected_texts.reject_reason,
        reject_reasons.description as reject_description
    from line_texts
    inner join rejected_texts
        on
            line_texts.raw_customer_id
            is not distinct from rejected_texts.raw_customer_id
            and line_texts.raw_gender
            is not distinct from rejected_texts.raw_gender
            and line_texts.raw_age
            is not distinct from rejected_texts.raw_age
            and line_texts.raw_annual_income
            is not distinct from rejected_texts.raw_annual_income
            and line_texts.raw_spending_score
            is not distinct from rejected_texts.raw_spending_score
    left join reject_reasons
        on rejected_texts.reject_reason = reject_reasons.reject_reason

)

select * from rejected
