-- docker-compose only (mounted at /docker-entrypoint-initdb.d, run once on an empty volume):
-- Dagster's instance storage gets its own database next to the warehouse, so a warehouse restore
-- never rolls back run history (docs/deploy.md, "Where the warehouse goes").
CREATE DATABASE dagster;
