"""What a source kind is to the rest of the platform: its keys, its options, and one extract call.

The load path (stage or direct COPY, apply, audit, checks) is the same for every source; only how
the rows are read differs. A kind therefore hands over a single function, ``extract``, that reads
the rows of one window and streams them, with their column types, into the sink the load path
gives it (``make_sink(columns)`` returns a ``load.stage.Stage`` whose ``copy()`` takes the rows).
Everything else a kind needs (its ``sources.yaml`` keys, their validation, the resource a run uses)
is declared here too, so adding a kind is one folder and one line in ``kinds.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceKind:
    keys: frozenset[str]  # the kind's own sources.yaml keys (the common ones are in validate.COMMON)
    options: Callable[[Any], Any]  # validate.Entry -> the kind's options, kept as SourceSpec.options
    # (context, conn, spec, window, existing columns, make_sink) -> (filled sink, extra metadata)
    extract: Callable[..., tuple[Any, dict]]
    resource: str | None = None  # the resource key a load needs besides ``warehouse``
    asset_metadata: Callable[[Any], dict] = field(default=lambda options: {})  # options -> asset metadata
    # (conn, spec) -> extra metadata, run after the apply in the same transaction (deletes: detect)
    after_apply: Callable[[Any, Any], dict] | None = None
    # Whether an unpartitioned source with a cursor reads from its high-water mark (API, databases),
    # which each load then records (``load.audit.cursor_mark``); a file is always read whole.
    continues_from_mark: bool = False
