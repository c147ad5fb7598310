-- Fails when the segments' sizes do not add up to the clean customers, i.e.
-- a customer was lost or counted twice between cleaning and the marts.

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

    select count(*) as customers
    from {{ ref('int_customers_cleaned') }}

)

select
    cluster_sizes.customers as cluster_size_total,
    segmented.customers as segmented_customers,
    clean.customers as clean_customers
from cluster_sizes
cross join segmented
cross join clean
where
    cluster_sizes.customers != clean.customers
    or segmented.customers != clean.customers
