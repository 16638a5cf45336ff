"""dbt: the transformation layer, exposed as ``@dbt_assets`` so dbt lineage is Dagster lineage."""
