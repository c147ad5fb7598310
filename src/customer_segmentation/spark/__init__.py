"""`segments run` on a Spark target: the run's Spark side (``run``), the
process that registers the inputs and the last publish in the metastore and
exports the published tables (``warehouse``), the user's tables read in place
(``tables``), and dbt Python models on a local SparkSession
(``session_jobs``).

May import: engines, inputs, messages, publishing, running, segment_model.
"""
