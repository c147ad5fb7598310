"""The segment model: the declared features (``features``), the clustering
vars, checked (``settings``), K-Means with the elbow (``clustering``), the
model a fit saves and how a refit keeps ids (``saved_model``), what a run
remembers of the last publish (``store``), the Arrow schemas of those tables
(``schemas``), and the dbt Python models' side of it (``tables``).

May import: engines, inputs, messages, publishing.
"""
