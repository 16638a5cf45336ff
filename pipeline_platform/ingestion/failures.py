"""What a failed load reports: the real cause, in words that say what happened to the data.

When the warehouse goes away mid-load, every layer above the socket sees its own symptom (a COPY
"format" error, a failed statement, a refused reconnect while writing the audit row), and
whichever surfaces first would hide the cause. Here a broken connection always wins: the error names
the source and says the transaction was rolled back (or, if the loss hit the COMMIT itself, that
the audit row decides), and a failure that cannot be written to ``raw._loads`` is left for the
next load to mark as abandoned instead of masking the original error.
"""

from __future__ import annotations

import psycopg

from pipeline_platform.ingestion.load import audit


class WarehouseConnectionLost(RuntimeError):
    """The connection to the warehouse broke during a load (server crash, restart, network)."""


def root_reason(exc: BaseException) -> str:
    """First line of the deepest psycopg error in the chain (the socket-level symptom)."""
    found, seen = exc, set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, psycopg.Error):
            found = exc
        exc = exc.__cause__ or exc.__context__
    return (str(found).strip().splitlines() or [type(found).__name__])[0]


def lost_message(relation: str, label: str | None, load_id: int, phase: str, reason: str) -> str:
    where = f"{relation}: lost the connection to the warehouse"
    if phase == "commit":
        return (f"{where} while committing load {load_id} ({reason}); whether it committed is unknown: "
                f"{audit.LOADS} says 'success' for load {load_id} if it did. Rerunning is safe either way.")
    if phase == "report":
        return (f"{where} after load {load_id} committed ({reason}); the data is loaded, "
                "but its checks and metadata were not recorded: rerun to record them.")
    return (f"{where} during the load ({reason}); the transaction was rolled back and {relation} is "
            f"unchanged. Rerun {'partition ' + label if label else 'the load'} once the database is back.")


def fail(context, conn, spec, label: str | None, load_id: int, phase: str, exc: Exception):
    """Record ``exc`` on the load's connection and raise the error to report (never returns)."""
    if conn.broken:
        raise WarehouseConnectionLost(lost_message(f"{spec.schema}.{spec.table}", label, load_id, phase, root_reason(exc))) from exc
    try:
        conn.rollback()
        audit.fail_load(conn, load_id, f"{type(exc).__name__}: {exc}")
    except psycopg.Error as audit_error:
        context.log.warning(f"{spec.schema}.{spec.table}: could not mark load {load_id} failed in {audit.LOADS} "
                            f"({root_reason(audit_error)}); the next load will mark it abandoned")
    raise exc
