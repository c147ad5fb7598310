{#- How well each customer fits its segment under the model that scored it.
    A view over int_customers_scored, like customer_segments. -#}
{{ config(materialized='view') }}

with

scored as (

    select
        customer_id,
        cluster_id,
        distance_to_centroid,
        is_outlier,
        model_run_id
    from {{ ref('int_customers_scored') }}

)

select * from scored
