"""Customer segmentation: the library behind `segments` and the dbt Python models.

A subpackage per subject; imports point down this list, never up it (a
subpackage's docstring names what it may import, and
``scripts/import_cycles.py`` checks both):

- ``cli``, ``run_steps``: the `segments` commands; `segments run` as named steps
- ``spark``: the same run on a Spark target
- ``dashboard``, ``powerbi``: what is made from the published tables
- ``running``: what a run was asked, what it says, the dbt child it starts
- ``lifetime_value``: the purchase and spend models and their tables
- ``segment_model``: features, settings, the clustering, the saved model
- ``publishing``: the folders the product owns, and the publish into them
- ``inputs``: the user's files and tables before dbt reads them; demo data
- ``engines``: DuckDB connections, text as SQL data, a ref's rows
- ``messages``: errors as the one line a user reads

The library runs from the project's checkout (``pip install -e .``), so the
dbt project is two folders above this package.
"""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
