with

elbow_scores as (

    select
        k,
        inertia,
        silhouette,
        davies_bouldin,
        calinski_harabasz,
        is_chosen,
        selection_rule
    from {{ ref('int_elbow_scores') }}

)

select * from elbow_scores
