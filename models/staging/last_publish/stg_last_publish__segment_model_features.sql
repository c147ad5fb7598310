{#- The saved model runs' feature values, one row per segment and feature. -#}

with

source as (

    select {{ contract_columns('segment_model_features') }}
    from {{ source('last_publish', 'segment_model_features') }}

)

select * from source
