{% macro reject_reason_counts(column='reject_reason', seed='reject_reasons') -%}
    {#- `count(...) as <code>_rows,` for every code of the reject_reasons
        seed, the one list of codes, read when the model runs (the seed is
        built by then; before that, as when linting a fresh clone, nothing).
        load_audit's contract orders the columns as its YAML lists them, and
        a test checks that list against the seed. -#}
    {%- set reject_reasons = ref(seed) -%}
    {%- set codes = [] -%}
    {%- if execute and load_relation(reject_reasons) is not none -%}
        {%- set found = run_query(
            "select reject_reason from " ~ reject_reasons
            ~ " order by reject_reason"
        ) -%}
        {%- set codes = found.columns[0].values() -%}
    {%- endif -%}
    {%- for code in codes %}
        count(*) filter (where {{ column }} = '{{ code }}') as {{ code }}_rows,
    {%- endfor %}
{%- endmacro %}
