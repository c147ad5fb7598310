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
        customer_id,
        reject_reason,
        has_repeated_id
    from {{ ref('int_customer_rows_checked') }}

),

audit as (

    select
        (select input_file.source_file from input_file) as source_file,
        count(*) as input_rows,
        -- a repeated id's rows are identical: one is kept, the rest removed
        count(*) filter (
            where reject_reason is null and not has_repeated_id
        )
        + count(distinct customer_id) filter (
            where has_repeated_id
        ) as clean_customers,
        count(*) filter (where has_repeated_id)
        - count(distinct customer_id) filter (
            where has_repeated_id
        ) as duplicate_rows_removed,
        {{- reject_reason_counts() }}
        count(*) filter (where reject_reason is not null) as rejected_rows
    from checked_rows

)

select * from audit
