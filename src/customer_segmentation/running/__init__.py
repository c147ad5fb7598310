"""A run around dbt: what `segments run` was asked (``plan``), what it says
while it works (``progress``) and when it ends (``report``, with the rejected
rows a failed run keeps in ``kept_rows``), and the dbt child process that
holds the run's locks and dies with it (``child``).

May import: engines, inputs, messages, segment_model.
"""
