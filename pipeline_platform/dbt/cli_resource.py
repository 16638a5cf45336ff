"""The dbt CLI resource, minus the seconds dagster-dbt spends before and after dbt runs.

dagster-dbt asks the executable for its version on every new resource instance, i.e. once per dbt
step, and that child process spends ~3 s importing dbt just to print a number. The executable here
is always the one installed next to this interpreter (run workers may not have the venv's bin on
PATH), so its version is the installed dbt-core's, read from package metadata instead. It also
builds a dbt adapter (parsing every dbt macro: 1-3 s of CPU beside the running dbt) only to fetch
row counts and column schemas afterwards, one connection and query per model and per parent;
``events_with_metadata`` fetches the same metadata (``dagster/row_count``, column schema, column
lineage) with two queries over one psycopg connection to the warehouse (always Postgres), so no
adapter is ever built. Column lineage matches the relations in dbt's compiled SQL, which carry the
warehouse's database name, against the manifest's, which carry the name the manifest was prepared
with (an image's build, ``make manifest``); where they differ, lineage reads a copy of the manifest
in the warehouse's database, or every column would lose its upstream columns.

dagster-dbt has no public hook for either, nor for building its metadata from columns fetched
elsewhere, so this is the one module that uses dagster-dbt internals: ``WRITTEN_FOR`` pins the
release series it was checked against and ``RELIED_ON`` names each internal;
tests/foundation/test_private_apis.py fails naming what changed when an upgrade breaks one.
"""

import logging
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import psycopg
from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from packaging import version
from psycopg import sql

from pipeline_platform.dbt.project import dbt_project

VENV_DBT = Path(sys.executable).with_name("dbt")  # run workers may not have the venv's bin on PATH

# Checked against dagster-dbt 0.29.27; pyproject.toml keeps this series.
WRITTEN_FOR = {"dagster-dbt": "0.29"}
RELIED_ON = {  # dotted name -> parameter names relied on (None: only that it exists)
    "dagster_dbt.DbtCliResource._cli_version": None,
    "dagster_dbt.DbtCliResource._initialize_dbt_core_adapter": ("args",),
    "dagster._core.definitions.metadata.TableMetadataSet": None,  # its row_count and storage_kind fields
    "dagster_dbt.asset_utils.default_metadata_from_dbt_resource_props": ("dbt_resource_props",),
    "dagster_dbt.core.dbt_cli_event.EventHistoryMetadata": ("columns", "parents"),
    "dagster_dbt.core.dbt_cli_event._build_column_lineage_metadata": (
        "event_history_metadata", "dbt_resource_props", "manifest", "dagster_dbt_translator", "target_path", "project"),
    "dbt.adapters.postgres.column.PostgresColumn.__init__": (
        "column", "dtype", "char_size", "numeric_precision", "numeric_scale"),
}
# dagster-dbt code that must still use what is overridden here, or the override is silently skipped.
CALLED_BY = (("dagster_dbt.DbtCliResource.cli", "_initialize_dbt_core_adapter"),
             ("dagster_dbt.DbtCliResource.cli", "_cli_version"))


class PlatformDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == VENV_DBT:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version  # a dbt elsewhere (e.g. configured by hand): ask it

    def _initialize_dbt_core_adapter(self, args):
        return None  # see events_with_metadata


COLUMNS = """
SELECT table_schema, table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
FROM information_schema.columns
WHERE (table_schema, table_name) IN (SELECT * FROM unnest(%(schemas)s::text[], %(names)s::text[]))
ORDER BY table_schema, table_name, ordinal_position
"""


def _relation(props: dict) -> tuple[str, str]:
    """(schema, name) as dagster-dbt names a node's relation: a source's identifier, a model's alias."""
    return props["schema"], props["identifier"] if props["unique_id"].startswith("source") else props["alias"]


def _columns(conn, relations: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, dict]]:
    """Each relation's columns and dbt-postgres data types (as its ``get_columns_in_relation``), in one query."""
    from dbt.adapters.postgres.column import PostgresColumn

    found: dict[tuple[str, str], dict[str, dict]] = {key: {} for key in relations}
    schemas, names = zip(*sorted(relations)) if relations else ((), ())
    for schema, name, *column in conn.execute(COLUMNS, {"schemas": list(schemas), "names": list(names)}):
        found[(schema, name)][column[0]] = {"data_type": PostgresColumn(*column).data_type}
    return found


def _row_counts(conn, relations: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``count(*)`` of each relation in one UNION ALL; a relation that cannot be counted is left out.
    Schema-qualified only: the manifest's database is the one it was parsed against, not always the URL's."""
    count = sql.SQL("SELECT {}::int, count(*) FROM {}")
    if not relations:
        return {}
    union = sql.SQL(" UNION ALL ").join(count.format(i, sql.Identifier(*key)) for i, key in enumerate(relations))
    try:
        return {relations[i]: rows for i, rows in conn.execute(union)}
    except psycopg.Error:
        counts = {}
        for key in relations:  # one bad relation must not cost the others their counts
            try:
                counts[key] = conn.execute(count.format(0, sql.Identifier(*key))).fetchone()[1]
            except psycopg.Error:
                logging.getLogger(__name__).warning("Could not count the rows of %s.%s", *key, exc_info=True)
        return counts


def events_with_metadata(events: Sequence, invocation: DbtCliInvocation, url: str) -> list:
    """dbt's Dagster events, read to the end beforehand, with the metadata dagster-dbt's
    ``fetch_row_counts().fetch_column_metadata()`` attaches, fetched in two warehouse queries."""
    from dagster import AssetMaterialization, Output
    from dagster._core.definitions.metadata import TableMetadataSet
    from dagster_dbt.asset_utils import default_metadata_from_dbt_resource_props
    from dagster_dbt.core.dbt_cli_event import EventHistoryMetadata, _build_column_lineage_metadata

    manifest = invocation.manifest
    props = [manifest["nodes"][event.metadata["unique_id"].text] for event in events]
    relations = {_relation(p) for p in props}
    parents = {parent for p in props for parent in manifest["parent_map"].get(p["unique_id"], [])}
    relations |= {_relation(_node(manifest, parent)) for parent in parents}
    counted = [_relation(p) for e, p in zip(events, props)
               if isinstance(e, (AssetMaterialization, Output)) and p["config"]["materialized"] != "view"]
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            columns = _columns(conn, relations)
            counts = _row_counts(conn, counted)
            database = conn.info.dbname
    except Exception:  # as in dagster-dbt: without the warehouse the metadata is just left out
        logging.getLogger(__name__).warning("Could not fetch row counts and columns after dbt build", exc_info=True)
        return list(events)
    manifest = in_database(manifest, database)
    props = [manifest["nodes"][p["unique_id"]] for p in props]
    storage_kind = manifest.get("metadata", {}).get("adapter_type")
    out = []
    for event, p in zip(events, props):
        metadata = dict(event.metadata)
        if _relation(p) in counts and isinstance(event, (AssetMaterialization, Output)):
            metadata.update(TableMetadataSet(row_count=counts[_relation(p)], storage_kind=storage_kind))
        own = columns[_relation(p)]
        metadata.update(default_metadata_from_dbt_resource_props({"columns": own}))
        try:
            upstream = {_relation_string(_node(manifest, parent)): columns[_relation(_node(manifest, parent))]
                        for parent in manifest["parent_map"].get(p["unique_id"], [])}
            metadata.update(_build_column_lineage_metadata(
                event_history_metadata=EventHistoryMetadata(columns=own, parents=upstream),
                dbt_resource_props=p, manifest=manifest, dagster_dbt_translator=invocation.dagster_dbt_translator,
                target_path=invocation.target_path, project=invocation.project))
        except Exception:
            logging.getLogger(__name__).warning(
                "Could not build column lineage for %s", p["original_file_path"], exc_info=True)
        out.append(event.with_metadata(metadata))
    return out


def _node(manifest: Mapping, unique_id: str) -> dict:
    return manifest["sources" if unique_id.startswith("source.") else "nodes"][unique_id]


SECTIONS = ("nodes", "sources")  # the manifest's parts that name relations
_REBASED: dict[tuple[int, str], tuple[Mapping, Mapping]] = {}


def in_database(manifest: Mapping, database: str) -> Mapping:
    """``manifest`` with every relation in ``database``: the same object when it already is, else a
    copy whose nodes and sources name ``database`` (the rest of each relation as dbt rendered it).

    The copy is made once per manifest object and kept with it: dagster-dbt's translator memoizes asset
    specs by the manifest's ``id``, so a copy per call would recompute them and could reuse a freed id.
    A process holds one manifest per project version, so this holds at most as many copies.
    """
    if all(node.get("database") in (None, database) for section in SECTIONS for node in manifest[section].values()):
        return manifest
    key = (id(manifest), database)
    if key not in _REBASED:
        moved = {section: {uid: _moved(node, database) for uid, node in manifest[section].items()}
                 for section in SECTIONS}
        _REBASED[key] = (manifest, {**manifest, **moved})  # the original kept, so its id is never reused
    return _REBASED[key][1]


def _moved(node: dict, database: str) -> dict:
    old = node.get("database")
    if old in (None, database):
        return node
    relation = node.get("relation_name")
    for prefix, new in ((f'"{old}".', f'"{database}".'), (f"{old}.", f"{database}.")):
        if relation and relation.startswith(prefix):
            relation = new + relation[len(prefix):]
            break
    return {**node, "database": database, "relation_name": relation}


def _relation_string(props: dict) -> str:
    """The relation as dbt-postgres prints it (what dagster-dbt keys a parent's columns by)."""
    return ".".join(f'"{part}"' for part in (props["database"], *_relation(props)))


def dbt_resource(project: DbtProject | None = None) -> DbtCliResource:
    """The dbt CLI next to this interpreter, with the platform's profile (``project.PROFILE``)."""
    return PlatformDbtCliResource(project_dir=project or dbt_project(), dbt_executable=str(VENV_DBT))

