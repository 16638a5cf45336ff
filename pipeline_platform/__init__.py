"""pipeline-platform: a Dagster code location from raw extracts through dbt marts to a dashboard."""
