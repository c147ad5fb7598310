{#- One row per named RFM segment (grain: rfm_segment), empty ones
    included: customers, revenue and its share, average behaviour. -#}

with

behaviour as (

    select
        rfm_segment,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score
    from {{ ref('customer_rfm') }}

),

segments as (

    select
        rfm_segment,
        rfm_segment_order
    from {{ ref('dim_rfm_segment') }}

),

per_segment as (

    select
        rfm_segment,
        count(*) as customers,
        sum(monetary) as revenue,
        avg(recency_days) as avg_recency_days,
        avg(frequency) as avg_frequency,
        cast(avg(monetary) as double) as avg_monetary,
        avg(r_score) as avg_r_score,
        avg(f_score) as avg_f_score,
        avg(m_score) as avg_m_score
    from behaviour
    group by rfm_segment

),

totals as (

    select
        count(*) as customers,
        sum(monetary) as revenue
    from behaviour

),

summary as (

    select
        segments.rfm_segment,
        segments.rfm_segment_order,
        coalesce(per_segment.customers, 0) as customers,
        coalesce(per_segment.customers, 0)
        / nullif(totals.customers, 0) as customer_share,
        coalesce(per_segment.revenue, 0) as revenue,
        cast(coalesce(per_segment.revenue, 0) as double)
        / nullif(cast(totals.revenue as double), 0) as revenue_share,
        per_segment.avg_recency_days,
        per_segment.avg_frequency,
        per_segment.avg_monetary,
        per_segment.avg_r_score,
        per_segment.avg_f_score,
        per_segment.avg_m_score
    from segments
    cross join totals
    left join per_segment
        on segments.rfm_segment = per_segment.rfm_segment

)

select * from summary
