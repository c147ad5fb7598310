-- Fails unless input rows = clean customers + repeated rows removed +
-- rejected rows: no row of the customer file may disappear without a trace
-- (assert_cluster_sizes_sum_to_clean_customers follows the clean customers
-- into the marts). The input is counted
-- as read, not through staging, so staging cannot lose a row unseen (and a
-- count of the file skips staging's parsing).

with

input_rows as (

    select count(*) as input_rows
    from {{ customer_input() }}

),

duplicate_rows as (

    -- every row of a repeated id but the one kept
    select count(*) - count(distinct customer_id) as duplicate_rows
    from {{ ref('int_customer_rows_checked') }}
    where has_repeated_id

),

clean as (

    select count(*) as clean_customers
    from {{ ref('int_customers_cleaned') }}

),

rejected as (

    select count(*) as rejected_rows
    from {{ ref('rejected_customers') }}

)

select
    input_rows.input_rows,
    clean.clean_customers,
    duplicate_rows.duplicate_rows,
    rejected.rejected_rows
from input_rows
cross join clean
cross join duplicate_rows
cross join rejected
where
    input_rows.input_rows
    != clean.clean_customers
    + duplicate_rows.duplicate_rows
    + rejected.rejected_rows
