{#- The R x F grid (grain: r_score, f_score): all 25 cells, each with its
    named segment, customers and revenue; the heat map of the report. -#}

with

behaviour as (

    select
        r_score,
        f_score,
        monetary
    from {{ ref('customer_rfm') }}

),

segments as (

    select
        rfm_segment,
        r_score_min,
        r_score_max,
        f_score_min,
        f_score_max
    from {{ ref('dim_rfm_segment') }}

),

cells as (

    select
        r_scores.r_score,
        f_scores.f_score
    from (values (1), (2), (3), (4), (5)) as r_scores (r_score)
    cross join (values (1), (2), (3), (4), (5)) as f_scores (f_score)

),

per_cell as (

    select
        r_score,
        f_score,
        count(*) as customers,
        sum(monetary) as revenue
    from behaviour
    group by r_score, f_score

),

grid as (

    select
        cast(cells.r_score as integer) as r_score,
        cast(cells.f_score as integer) as f_score,
        segments.rfm_segment,
        coalesce(per_cell.customers, 0) as customers,
        coalesce(per_cell.revenue, 0) as revenue
    from cells
    left join segments
        on
            cells.r_score
            between segments.r_score_min and segments.r_score_max
            and cells.f_score
            between segments.f_score_min and segments.f_score_max
    left join per_cell
        on cells.r_score = per_cell.r_score and cells.f_score = per_cell.f_score

)

select * from grid
