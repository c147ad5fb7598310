{#- The elbow of the saved model, carried forward by scoring runs. -#}

with

source as (

    select {{ contract_columns('elbow_curve') }}
    from {{ source('last_publish', 'elbow_curve') }}

)

select * from source
