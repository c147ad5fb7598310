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
    from {{ ref('int_k_candidates_scored') }}

)

select * from elbow_scores
