{#- The registered customer file, or the demo seed (see customer_input). -#}
{%- set input = customer_input() -%}

with

source as (

    select * from {{ input }}

),

gender_spellings as (

    -- how exports spell each gender, lower case (seeds/gender_spellings.csv)
    select * from {{ ref('gender_spellings') }}

),

trimmed as (

    select
        source_file,
        {{ customer_raw_texts() }}
    from source

),

file_format as (

    -- decimal mark and id form, decided from the files by `segments run`
    select * from {{ input_format('customers', input) }}

),

renamed as (

    select
        -- ids
        {{ canonical_id(
            'trimmed.raw_customer_id', 'file_format.whole_number_ids'
        ) }} as customer_id,

        -- strings
        trimmed.source_file,
        -- a spelling the seed does not list, blank included, is Unknown:
        -- kept, never rejected (the run warns when many are)
        coalesce(gender_spellings.gender, 'Unknown') as gender,
        trimmed.raw_customer_id,
        trimmed.raw_gender,
        trimmed.raw_age,
        trimmed.raw_annual_income,
        trimmed.raw_spending_score,

        -- numerics
        {{ parse_number(
            'trimmed.raw_age', 'file_format.decimal_mark'
        ) }} as age,
        {{ parse_number(
            'trimmed.raw_annual_income', 'file_format.decimal_mark'
        ) }} as annual_income_k,
        {{ parse_number(
            'trimmed.raw_spending_score', 'file_format.decimal_mark'
        ) }} as spending_score

    from trimmed
    cross join file_format
    left join gender_spellings
        on lower(trimmed.raw_gender) = gender_spellings.spelling

)

select * from renamed
