{#- The elbow of the saved model, carried forward by scoring runs. -#}

with

source as (

    select
        k,
        inertia,
        silhouette,
        davies_bouldin,
        calinski_harabasz,
        is_chosen,
        selection_rule
    from {{ source('last_publish', 'elbow_curve') }}

)

select * from source
