{#- The named segment of each of the 25 recency x frequency cells (grain:
    r_score, f_score): the rfm_segments seed's rectangles, one row per cell
    they cover. The customers' segments and the published grid both read
    it; the seed's test proves every cell is covered exactly once. -#}

with

segments as (

    select
        rfm_segment,
        r_score_min,
        r_score_max,
        f_score_min,
        f_score_max
    from {{ ref('rfm_segments') }}

),

rows_of_cells as (

    select
        rfm_segment,
        {{ integers_between('r_score_min', 'r_score_max') }} as r_score,
        f_score_min,
        f_score_max
    from segments

),

rows_of_cells_by_f_score as (

    select
        rfm_segment,
        r_score,
        {{ integers_between('f_score_min', 'f_score_max') }} as f_score
    from rows_of_cells

),

cells as (

    select
        rfm_segment,
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score
    from rows_of_cells_by_f_score

)

select * from cells
