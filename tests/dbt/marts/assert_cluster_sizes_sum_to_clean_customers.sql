-- Fails when the segments' sizes do not add up to the customers to segment,
-- i.e. a customer was lost or counted twice between cleaning and the marts:
-- the customer file's clean customers (as the load audit counts them from
-- the row checks, which costs nothing here, where a count of the cleaning
-- view would repeat its work on every row), or with transactions the
-- customers who bought (customer_rfm).

with

cluster_sizes as (

    select sum(customers) as customers
    from {{ ref('cluster_summary') }}

),

segmented as (

    select count(*) as customers
    from {{ ref('customer_segments') }}

),

clean as (

    select clean_customers as customers
    from {{ ref('load_audit') }}

),

bought as (

    select count(*) as customers
    from {{ ref('customer_rfm') }}

),

expected as (

    select
        case
            when bought.customers > 0 then bought.customers
            else clean.customers
        end as customers
    from clean
    cross join bought

)

select
    cluster_sizes.customers as cluster_size_total,
    segmented.customers as segmented_customers,
    expected.customers as expected_customers
from cluster_sizes
cross join segmented
cross join expected
where
    cluster_sizes.customers != expected.customers
    or segmented.customers != expected.customers
