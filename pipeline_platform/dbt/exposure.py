"""Which dashboards exist and what they read, taken from the dbt exposures so each list exists once.

A team declares a Streamlit app by giving a dbt exposure ``meta: {streamlit: <path to the app
script>}``; everything else follows from the manifest: the exposure's ``depends_on`` become the
upstream assets of its deploy asset (mapped by the same translator as the dbt assets, so the keys
match), and the relations behind them are what the platform's data version is computed over (see
``dashboard/verify.py``): each relation by its identity, and those dbt or a loader rewrite in place
(incremental models, snapshots, materialized views, sources) by their rows too.
An exposure without that key is documentation only; a project with none deploys nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline_platform.dbt.project import read_manifest
from pipeline_platform.dbt.translator import PlatformDbtTranslator

STREAMLIT_META = "streamlit"  # meta key naming the app script
PORT_META = "port"  # optional meta key pinning the app's local port


@dataclass(frozen=True)
class StreamlitExposure:
    """One dbt exposure that names a Streamlit app."""

    name: str
    app: str  # the script path as written in ``meta.streamlit`` (see dashboard.settings for its base)
    upstream: tuple[dg.AssetKey, ...]  # the assets the exposure depends on, sorted
    relations: tuple[str, ...]  # their warehouse relations, quoted ``"schema"."name"``, sorted
    in_place: tuple[str, ...] = ()  # the subset written in place (see IN_PLACE; sources too)
    port: int | None = None  # ``meta.port`` when set
    position: int = 0  # place among the project's Streamlit exposures, sorted by name (port offset)


def _meta(exposure: dict) -> dict:
    return {**(exposure.get("meta") or {}), **((exposure.get("config") or {}).get("meta") or {})}


# materializations that can change rows of the same relation (a materialized view may be refreshed
# concurrently); tables and views are rebuilt and swapped in by rename
IN_PLACE = {"incremental", "snapshot", "materialized_view"}


def _relation(node: dict) -> tuple[str | None, bool]:
    """The quoted relation a node or source lives in (None for ephemeral models) and whether it is
    written in place rather than rebuilt."""
    materialized = node.get("config", {}).get("materialized")
    if materialized == "ephemeral":
        return None, False
    source = node.get("resource_type") == "source"
    name = node.get("identifier") if source else (node.get("alias") or node["name"])
    relation = ".".join('"' + part.replace('"', '""') + '"' for part in (node["schema"], name))
    return relation, source or materialized in IN_PLACE


def _exposure(data: dict, exposure: dict, manifest: Path, position: int) -> StreamlitExposure:
    meta = _meta(exposure)
    app, port = meta[STREAMLIT_META], meta.get(PORT_META)
    where = f"{manifest}: exposure '{exposure['name']}'"
    if not isinstance(app, str) or not app.strip():
        raise ValueError(f"{where}: meta.{STREAMLIT_META} must be the path of a Streamlit script, got {app!r}")
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536):
        raise ValueError(f"{where}: meta.{PORT_META} must be a port number, got {port!r}")
    translator = PlatformDbtTranslator()
    keys, relations, in_place = set(), set(), set()
    for uid in exposure["depends_on"]["nodes"]:
        node = data["nodes"].get(uid) or data["sources"].get(uid)
        if node is None:
            raise ValueError(f"{where} depends on {uid}, which is neither a model nor a source: list those instead")
        keys.add(translator.get_asset_key(node))
        relation, rewritten_in_place = _relation(node)
        if relation is not None:
            relations.add(relation)
            if rewritten_in_place:
                in_place.add(relation)
    if not keys:
        raise ValueError(f"{where} names a Streamlit app but depends on nothing: add depends_on")
    return StreamlitExposure(
        name=exposure["name"], app=app.strip(), upstream=tuple(sorted(keys, key=lambda k: k.to_string())),
        relations=tuple(sorted(relations)), in_place=tuple(sorted(in_place)), port=port, position=position,
    )


def streamlit_exposures(manifest_path: Path) -> list[StreamlitExposure]:
    """Every exposure with ``meta.streamlit``, sorted by name; empty when the project has none."""
    data = read_manifest(manifest_path)
    named = sorted(
        (e for e in data.get("exposures", {}).values() if STREAMLIT_META in _meta(e)), key=lambda e: e["name"]
    )
    return [_exposure(data, exposure, Path(manifest_path), i) for i, exposure in enumerate(named)]
