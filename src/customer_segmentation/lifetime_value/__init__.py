"""Lifetime value from transactions: the BG/NBD, Pareto/NBD and Gamma-Gamma
fits (``fitting``) and their standard errors (``intervals``); what a fitted
purchase model expects of a customer (``bgnbd``, ``pareto``, behind
``predictions``) and which model is used (``choice``); the dbt Python models'
tables (``tables``, ``expectation_table``, ``components``, ``tracking``); and
what a run says about them (``report``).

May import: engines.
"""
