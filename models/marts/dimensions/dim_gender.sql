with

genders as (

    select
        gender,
        gender_order
    from {{ ref('genders') }}

)

select * from genders
