{#- Cells of the 5 x 5 recency x frequency grid that no rectangle of the
    segment seed covers, or that more than one covers: either would leave a
    customer unnamed ("Other") or counted twice. Also fails on a rectangle
    reaching outside 1-5. -#}
{% test rfm_segments_cover_every_cell_once(model) %}

with

cells as (

    select
        r_scores.r_score,
        f_scores.f_score
    from range(1, 6) as r_scores (r_score)
    cross join range(1, 6) as f_scores (f_score)

),

coverage as (

    select
        cells.r_score,
        cells.f_score,
        count(segments.r_score_min) as segments_covering
    from cells
    left join {{ model }} as segments
        on
            cells.r_score between segments.r_score_min and segments.r_score_max
            and cells.f_score between segments.f_score_min and segments.f_score_max
    group by cells.r_score, cells.f_score

),

outside as (

    select
        null as r_score,
        null as f_score,
        count(*) as segments_covering
    from {{ model }}
    where
        r_score_min < 1 or r_score_max > 5 or f_score_min < 1 or f_score_max > 5
        or r_score_min > r_score_max or f_score_min > f_score_max
    having count(*) > 0

)

select * from coverage
where segments_covering != 1
union all
select * from outside

{% endtest %}
