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
        unnest(range(r_score_min, r_score_max + 1)) as r_score,
        f_score_min,
        f_score_max
    from segments

),

cells as (

    select
        rfm_segment,
        cast(r_score as integer) as r_score,
        cast(unnest(range(f_score_min, f_score_max + 1)) as integer) as f_score
    from rows_of_cells

)

select * from cells
