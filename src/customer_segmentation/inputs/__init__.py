"""The user's input before dbt reads it: files (``files``: headers, aliases,
registering the views dbt reads) and tables read in place (``tables``, and
``attach_plugin``, the dbt-duckdb plugin that attaches a database read only),
how each writes its numbers, dates and ids (``formats``, decided in
``reading``), and the data that ships or is made up: the demo customers and
transactions, and synthetic files of any size.

May import: engines, messages.
"""
