"""The webserver, loading the code location over gRPC, shows the same graph as the code itself.

A grpc_server workspace is what every distributed deployment uses; if packaging dropped a dbt model
or a check (say, a file missing from the wheel's package data), it would show up only here.
"""

from __future__ import annotations

import pytest

from tests.deploy.procs import graphql

ASSETS = """{ assetNodes { assetKey { path } dependencyKeys { path }
  assetChecksOrError { __typename ... on AssetChecks { checks { name } } } } }"""


def in_process_graph() -> tuple[dict, set]:
    from pipeline_platform.definitions import defs

    graph = defs.resolve_asset_graph()
    edges = {k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys}
             for k in graph.get_all_asset_keys()}
    return edges, {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}


def served_graph(url: str) -> tuple[dict, set]:
    nodes = graphql(url, ASSETS)["assetNodes"]
    edges = {"/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]} for n in nodes}
    checks = set()
    for node in nodes:
        assert node["assetChecksOrError"]["__typename"] == "AssetChecks", node
        checks |= {("/".join(node["assetKey"]["path"]), c["name"]) for c in node["assetChecksOrError"]["checks"]}
    return edges, checks


def layers_upstream(edges: dict, key: str) -> set[tuple]:
    """Every path ending at ``key``, as its sequence of layers (key prefixes), repeats collapsed."""
    def walk(node: str) -> list[list[str]]:
        parents = edges.get(node) or set()
        return [[*up, node] for p in parents for up in walk(p)] or [[node]]

    layers = set()
    for path in walk(key):
        names = [k.split("/")[0] if "/" in k else k for k in path]
        layers.add(tuple(n for i, n in enumerate(names) if i == 0 or names[i - 1] != n))
    return layers


@pytest.mark.slow
def test_served_graph_has_every_asset_check_and_edge(webserver):
    edges, checks = served_graph(webserver.url)
    expected_edges, expected_checks = in_process_graph()
    assert set(edges) == set(expected_edges)
    assert {k: v for k, v in edges.items() if v != expected_edges[k]} == {}
    assert checks == expected_checks
    assert ("raw", "staging", "marts", "deploy_dashboard") in layers_upstream(edges, "deploy_dashboard")
