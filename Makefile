# One task runner for the project. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The oldest DuckDB the serving database promises to open (see publishing/publish.py).
COMPAT_VENV := .venv-duckdb-1.0
# The Spark engine, apart from the default DuckDB one (docs/spark.md).
SPARK_VENV := .venv-spark
SPARK_INSTALLED := $(SPARK_VENV)/.installed
SPARK_HOOK := $(SPARK_VENV)/.session-hook
# dbt-databricks, which cannot share either environment (docs/spark.md).
DATABRICKS_VENV := .venv-databricks
DATABRICKS_INSTALLED := $(DATABRICKS_VENV)/.installed
DBT := $(BIN)/dbt
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup spark-setup databricks-setup browser compat-reader run run-transactions refit test unit lint format docs powerbi demo-data bench readme-screenshot clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --no-build-isolation -e .
	touch $@

setup: $(INSTALLED) ## Create .venv and install the pinned dependencies

browser: ## Install Debian's chromium for the page tests, if it is missing
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

spark-setup: $(SPARK_HOOK) ## Create .venv-spark: dbt-spark and a local Spark (needs Java 17)

$(SPARK_INSTALLED): requirements.txt requirements-spark.txt constraints.txt pyproject.toml
	test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-spark.txt -c constraints.txt
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		--no-deps --no-build-isolation -e .
	touch $@

# The .pth line registers dbt Python models on a local SparkSession
# (customer_segmentation/spark/session_jobs.py) whenever dbt-spark loads.
# Rewritten when this file changes, so a moved module never leaves a stale line.
$(SPARK_HOOK): $(SPARK_INSTALLED) Makefile
	echo "import customer_segmentation.spark.session_jobs as jobs; jobs.install_import_hook()" \
		> "$$($(SPARK_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/customer_segmentation_spark.pth"
	touch $@

databricks-setup: $(DATABRICKS_INSTALLED) ## Create .venv-databricks: dbt-databricks, to build on Databricks

$(DATABRICKS_INSTALLED): requirements-databricks.txt constraints-databricks.txt
	test -x $(DATABRICKS_VENV)/bin/python || $(PYTHON) -m venv $(DATABRICKS_VENV)
	$(DATABRICKS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-databricks.txt -c constraints-databricks.txt
	touch $@

compat-reader: $(COMPAT_VENV)/bin/python ## Install DuckDB 1.0.0 apart, to prove old readers open segments.duckdb

$(COMPAT_VENV)/bin/python:
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check duckdb==1.0.0

# DBT_TARGET=spark_local (or spark) builds on Spark: .venv-spark is set up first.
ENGINE_SETUP := $(if $(filter spark%,$(DBT_TARGET)),spark-setup)

run: setup $(ENGINE_SETUP) ## Build, test and publish the segments (SEGMENTS_INPUT=file.csv to use your own; DBT_TARGET=spark_local on Spark)
	$(BIN)/segments run

run-transactions: setup $(ENGINE_SETUP) ## Run on the demo transactions (RFM, behaviour segments); SEGMENTS_TRANSACTIONS=file for yours
	SEGMENTS_TRANSACTIONS=$${SEGMENTS_TRANSACTIONS:-demo} $(BIN)/segments run

refit: setup $(ENGINE_SETUP) ## Like run, but always fit a new model (ids of persisting segments are kept)
	$(BIN)/segments run --refit

test: setup spark-setup databricks-setup browser compat-reader lint ## Lint, then run every test (pytest runs dbt's data and unit tests; tests/spark on a local Spark)
	$(BIN)/pytest

unit: setup ## The fast tier (under a minute): no dbt run, no browser, no old DuckDB, no Spark
	$(BIN)/pytest -m "not slow and not browser and not scale"

# sqlfluff's dbt templater writes dbt's state and opens a warehouse: in a
# folder of its own, never in the target folder a run owns.
SQLFLUFF := DBT_TARGET_PATH=$(CURDIR)/.lint-dbt \
	SEGMENTS_WAREHOUSE=$(CURDIR)/.lint-dbt/warehouse.duckdb $(BIN)/sqlfluff

lint: setup ## ruff for Python, sqlfluff for SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/code_shape.py
	$(BIN)/python scripts/import_cycles.py
	$(SQLFLUFF) lint models tests/dbt/marts

format: setup ## Fix what ruff and sqlfluff can fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(SQLFLUFF) fix models tests/dbt/marts

# Every target that writes through dbt goes through `segments`, which takes
# the locks a run takes (and waits for a run that holds them).
docs: setup ## Build the dbt docs site and serve it on http://localhost:8080
	test -f target/warehouse.duckdb || $(BIN)/segments run
	$(BIN)/segments docs
	DBT_LOG_PATH=$${DBT_LOG_PATH:-$${DBT_TARGET_PATH:-target}/logs} $(DBT) docs serve --port 8080

powerbi: setup ## Regenerate the Power BI project in powerbi/ (never overwrites your edits)
	test -f target/warehouse.duckdb || $(BIN)/segments run
	$(BIN)/segments powerbi --out powerbi

demo-data: setup ## Regenerate the demo files (seeds/demo_customers.csv, demo/transactions.csv) from their generators
	$(BIN)/python -m customer_segmentation.inputs.demo_customers seeds/demo_customers.csv
	$(BIN)/python -m customer_segmentation.inputs.demo_transactions demo/transactions.csv

bench: setup ## Benchmark 200, 1M and 10M customers against the notebook way and the floor (BENCH_ARGS=... for more)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

readme-screenshot: setup browser ## Refresh docs/images/dashboard.png from a demo run
	$(BIN)/segments run >/dev/null
	$(BIN)/python scripts/readme_screenshot.py docs/images/dashboard.png

# `segments clean` deletes only what the publish and target folders' manifests
# list (docs/data_safety.md); test-output/ and the environments are the
# checkout's own.
clean: ## Remove dbt output, published files (never a file of yours) and the virtual environments
	test ! -x $(BIN)/segments || $(BIN)/segments clean
	rm -rf test-output .lint-dbt $(VENV) $(COMPAT_VENV) $(SPARK_VENV) $(DATABRICKS_VENV)
