{#- One row for the run: where every input row went, with a count per code
    of the reject_reasons seed (reject_reason_counts). -#}

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
        {{- reject_reason_counts() }}
        count(*) filter (where reject_reason is not null) as rejected_rows
    from checked_rows

)

select * from audit
