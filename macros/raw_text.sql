{% macro raw_text(header) -%}
    {#- A column of the input file by its header, as trimmed text, blank as
        null. The header is quoted with inner quotes doubled, so any header
        text is only ever a column name. -#}
    nullif(trim(cast("{{ header | replace('"', '""') }}" as varchar)), '')
{%- endmacro %}
