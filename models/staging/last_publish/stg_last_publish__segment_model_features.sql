{#- The saved model runs' feature values, one row per segment and feature. -#}

with

source as (

    select {{ segment_model_feature_columns() }}
    from {{ source('last_publish', 'segment_model_features') }}

)

select * from source
