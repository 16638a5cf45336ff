"""Ingestion: raw extracts (CSV landing files, REST APIs) bulk-loaded into the ``raw`` schema."""
