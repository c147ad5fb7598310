"""The JSON schemas the generated files declare: the newest versions Power BI
Desktop writes (see docs/power_bi.md), validated in full by the tests."""

SCHEMAS = "https://developer.microsoft.com/json-schemas/fabric"
# The newest versions Power BI Desktop writes (see docs/power_bi.md).
PBIP_SCHEMA = f"{SCHEMAS}/pbip/pbipProperties/1.0.0/schema.json"
PLATFORM_SCHEMA = f"{SCHEMAS}/gitIntegration/platformProperties/2.1.0/schema.json"
PBISM_SCHEMA = f"{SCHEMAS}/item/semanticModel/definitionProperties/1.0.0/schema.json"
PBIR_SCHEMA = f"{SCHEMAS}/item/report/definitionProperties/2.0.0/schema.json"
DEFINITION = f"{SCHEMAS}/item/report/definition"
VERSION_SCHEMA = f"{DEFINITION}/versionMetadata/1.0.0/schema.json"
REPORT_SCHEMA = f"{DEFINITION}/report/3.3.0/schema.json"
PAGES_SCHEMA = f"{DEFINITION}/pagesMetadata/1.1.0/schema.json"
PAGE_SCHEMA = f"{DEFINITION}/page/2.1.0/schema.json"
VISUAL_SCHEMA = f"{DEFINITION}/visualContainer/2.9.0/schema.json"
