{#- Every cluster x every age band, bands without customers included (0), so
    charts keep the same bands on every segment; the Unknown band (buyers
    without a customer record) whenever any customer is in it. -#}

with

customer_segments as (

    select
        cluster_id,
        age_band,
        spending_score
    from {{ ref('customer_segments') }}

),

cluster_summary as (

    select
        cluster_id,
        segment_name
    from {{ ref('cluster_summary') }}

),

dim_age_band as (

    select
        age_band,
        age_band_order,
        min_age
    from {{ ref('dim_age_band') }}

),

age_bands as (

    select
        dim_age_band.age_band,
        dim_age_band.age_band_order
    from dim_age_band
    where
        dim_age_band.age_band in (
            select customer_segments.age_band from customer_segments
        )
        or dim_age_band.min_age is not null

),

grid as (

    select
        cluster_summary.cluster_id,
        cluster_summary.segment_name,
        age_bands.age_band,
        age_bands.age_band_order
    from cluster_summary
    cross join age_bands

),

per_band as (

    select
        cluster_id,
        age_band,
        count(*) as customers,
        avg(spending_score) as avg_spending_score
    from customer_segments
    group by cluster_id, age_band

),

filled as (

    select
        grid.cluster_id,
        grid.segment_name,
        grid.age_band,
        grid.age_band_order,
        coalesce(per_band.customers, 0) as customers,
        per_band.avg_spending_score
    from grid
    left join per_band
        on
            grid.cluster_id = per_band.cluster_id
            and grid.age_band = per_band.age_band

)

select * from filled
