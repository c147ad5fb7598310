{#- The segment dimension: every report slicer and axis on segments reads
    it, so one filter reaches every fact. Ids are ordered, so cluster_id is
    also the sort order. -#}

with

cluster_summary as (

    select
        cluster_id,
        segment_name,
        segment_description
    from {{ ref('cluster_summary') }}

)

select * from cluster_summary
