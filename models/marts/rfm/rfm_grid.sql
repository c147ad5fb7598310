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

cells as (

    select
        r_score,
        f_score,
        rfm_segment
    from {{ ref('int_rfm_segments_expanded_to_cells') }}

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
        cells.r_score,
        cells.f_score,
        cells.rfm_segment,
        coalesce(per_cell.customers, 0) as customers,
        coalesce(per_cell.revenue, 0) as revenue
    from cells
    left join per_cell
        on cells.r_score = per_cell.r_score and cells.f_score = per_cell.f_score

)

select * from grid
