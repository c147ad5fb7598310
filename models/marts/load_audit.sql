{#- One row for the run: where every input row went. Reason columns follow
    the reject_reasons seed; a test checks they add up to rejected_rows. -#}
{%- set reject_reasons = [
    'missing_customer_id',
    'missing_age',
    'non_numeric_age',
    'missing_annual_income',
    'non_numeric_annual_income',
    'missing_spending_score',
    'non_numeric_spending_score',
    'age_not_whole_number',
    'age_out_of_range',
    'negative_annual_income',
    'spending_score_not_whole_number',
    'spending_score_out_of_range',
    'conflicting_duplicate_id',
] -%}

with

checked_rows as (

    select
        reject_reason,
        is_duplicate_row
    from {{ ref('int_customer_rows_checked') }}

),

audit as (

    select
        {{ source_file_label() }} as source_file,
        count(*) as input_rows,
        count(*) filter (
            where reject_reason is null and not is_duplicate_row
        ) as clean_customers,
        count(*) filter (where is_duplicate_row) as duplicate_rows_removed,
        count(*) filter (where reject_reason is not null) as rejected_rows,
        {%- for reason in reject_reasons %}
            count(*) filter (
                where reject_reason = '{{ reason }}'
            ) as {{ reason }}_rows
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from checked_rows

)

select * from audit
