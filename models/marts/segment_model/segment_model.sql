{#- The model this run's segments come from: one row per active segment. -#}

with

model_run as (

    select {{ contract_columns('segment_model_history') }}
    from {{ ref('int_segment_model_selected') }}
    where cluster_status = 'active'

)

select * from model_run
