{% macro full_match(text, pattern) -%}
    {#- True when the whole text matches the regular expression `pattern`, a
        constant of the project's (never a user's value). -#}
    {{ return(adapter.dispatch('full_match')(text, pattern)) }}
{%- endmacro %}

{% macro duckdb__full_match(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__full_match(text, pattern) -%}
    {#- Spark reads a backslash in a string literal as an escape, so the
        pattern's backslashes are doubled to reach the regex intact. -#}
    ({{ text }} rlike '^(?:{{ pattern | replace("\\", "\\\\") }})$')
{%- endmacro %}
