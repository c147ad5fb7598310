{% macro segment_features() -%}
    {#- The clustering features as declared in dbt_project.yml (var
        segment_features): a list of {name, sql, ...}. -#}
    {{ return(var('segment_features')) }}
{%- endmacro %}

{% macro segment_feature_names() -%}
    {%- set names = [] -%}
    {%- for feature in segment_features() -%}
        {%- do names.append(feature.name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
