{#- Fails when more than `threshold` (a share, 0-1) of the rows have a
    reject_reason: a file that bad is not published, whatever else passes.
    `segments run` turns a failure into a message with the counts. -#}
{% test reject_share_within_threshold(model, threshold) %}

select
    count(*) as input_rows,
    count(*) filter (where reject_reason is not null) as rejected_rows
from {{ model }}
having
    count(*) filter (where reject_reason is not null)
    > {{ threshold }} * count(*)

{% endtest %}
