"""The JSON schemas the generated files declare: for each kind of file, the
oldest version that validates everything the generator writes, so that the
oldest Power BI Desktop possible opens the projects (docs/power_bi.md says
which). tests/integration/test_powerbi.py validates every file in full at
these versions and shows the version before each would refuse a file."""

SCHEMAS = "https://developer.microsoft.com/json-schemas/fabric"
PBIP_SCHEMA = f"{SCHEMAS}/pbip/pbipProperties/1.0.0/schema.json"
PLATFORM_SCHEMA = f"{SCHEMAS}/gitIntegration/platformProperties/2.0.0/schema.json"
PBISM_SCHEMA = f"{SCHEMAS}/item/semanticModel/definitionProperties/1.0.0/schema.json"
PBIR_SCHEMA = f"{SCHEMAS}/item/report/definitionProperties/1.0.0/schema.json"
DEFINITION = f"{SCHEMAS}/item/report/definition"
VERSION_SCHEMA = f"{DEFINITION}/versionMetadata/1.0.0/schema.json"
# 2.0.0 (June 2025): the first that does not require layoutOptimization,
# which the reports leave unset; the newest kind here, so it sets the oldest
# Desktop.
REPORT_SCHEMA = f"{DEFINITION}/report/2.0.0/schema.json"
PAGES_SCHEMA = f"{DEFINITION}/pagesMetadata/1.0.0/schema.json"
# 1.3.0 (December 2024): the first with the page type (the drill-through).
PAGE_SCHEMA = f"{DEFINITION}/page/1.3.0/schema.json"
VISUAL_SCHEMA = f"{DEFINITION}/visualContainer/1.0.0/schema.json"
