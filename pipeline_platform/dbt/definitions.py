"""The dbt layer's contribution to the code location: the models, their docs site and the CLI.

A dbt source that no loader writes (and that is not the platform's audit table) still appears, as
an external asset whose description says so: lineage never ends in an unexplained key.
"""

from __future__ import annotations

import dagster as dg

from pipeline_platform.dbt.assets import build_dbt_assets
from pipeline_platform.dbt.cli_resource import dbt_resource
from pipeline_platform.dbt.docs import build_dbt_docs_asset
from pipeline_platform.dbt.project import dbt_project, manifest_path, read_manifest
from pipeline_platform.dbt.translator import source_key
from pipeline_platform.ingestion.load.table import SCHEMA


def unloaded_sources(manifest: dict, produced: set[dg.AssetKey]) -> list[dg.AssetSpec]:
    """External specs for the dbt sources whose key no asset in ``produced`` has."""
    specs: dict[dg.AssetKey, dg.AssetSpec] = {}
    for source in manifest["sources"].values():
        key = source_key(source)
        if key in produced or key in specs:
            continue
        relation = f"{source['schema']}.{source.get('identifier') or source['name']}"
        specs[key] = dg.AssetSpec(
            key=key,
            group_name="dbt_sources",
            kinds={"postgres"},
            description=(
                f"dbt source `{source['source_name']}.{source['name']}` reads `{relation}`, which no loader "
                "in the sources file writes: it is loaded outside the platform (add a source entry with "
                "this schema and table to load it here)."
            ),
            metadata={"dagster/table_name": f"warehouse.{relation}"},
        )
    return list(specs.values())


def dbt_defs(
    partitions: dg.PartitionsDefinition | None = None,
    produced: set[dg.AssetKey] = frozenset(),
    raw_schemas: tuple[str, ...] = (SCHEMA,),
) -> dg.Definitions:
    """``produced``: the keys the other layers define (loaders, audit table), which sources map to."""
    project = dbt_project()
    models = build_dbt_assets(project, partitions, raw_schemas)
    manifest = read_manifest(manifest_path(project))
    return dg.Definitions(
        assets=[models, build_dbt_docs_asset(models, project), *unloaded_sources(manifest, set(produced))],
        resources={"dbt": dbt_resource(project)},
    )
