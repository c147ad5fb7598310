{#- The RFM segment dimension: every named segment of the rfm_segments seed
    with its order, its R/F cells and what to do with its customers. -#}

with

segments as (

    select
        rfm_segment,
        segment_order,
        r_score_min,
        r_score_max,
        f_score_min,
        f_score_max,
        description
    from {{ ref('rfm_segments') }}

),

final as (

    select
        rfm_segment,
        cast(segment_order as integer) as rfm_segment_order,
        cast(r_score_min as integer) as r_score_min,
        cast(r_score_max as integer) as r_score_max,
        cast(f_score_min as integer) as f_score_min,
        cast(f_score_max as integer) as f_score_max,
        description as rfm_segment_description
    from segments

)

select * from final
