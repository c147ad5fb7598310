{#- One row for the run: where every input row went. Reason columns follow
    the reject_reasons seed; a test checks they add up to rejected_rows. -#}
{%- set reject_reasons = [
    'blank_row',
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
    'annual_income_out_of_range',
    'spending_score_not_whole_number',
    'spending_score_out_of_range',
    'conflicting_duplicate_id',
] -%}

with

input_file as (

    -- the file's path, the same on every row: any one row will do, and
    -- reading one instead of aggregating all saves a scan of the file
    select source_file
    from {{ customer_input() }}
    limit 1  -- noqa: AM09

),

checked_rows as (

    select
        reject_reason,
        is_duplicate_row
    from {{ ref('int_customer_rows_checked') }}

),

audit as (

    select
        (select input_file.source_file from input_file) as source_file,
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
