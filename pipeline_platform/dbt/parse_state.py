"""Each dbt invocation starts from the previous one's parse, not from scratch.

dagster-dbt seeds each invocation's target folder with the project's ``partial_parse.msgpack``, but
that file comes from ``make manifest``, parsed without this warehouse's connection, and dbt throws
parse state away when the connection differs: every dbt step parsed the whole project again
(3-5 s of CPU). Handing each finished invocation's state back to the project fixes that.
"""

import os
import shutil
import threading

from dagster_dbt import DbtCliInvocation

from pipeline_platform.dbt.project import invocation_root


def keep_parse_state(invocation: DbtCliInvocation) -> None:
    """Replace the project's parse state with ``invocation``'s: atomically, so a concurrent run never
    reads half a file; left alone where the project folder is read-only (a packaged deploy)."""
    source = invocation.target_path / "partial_parse.msgpack"
    if not source.exists():
        return
    folder = invocation_root(invocation.project_dir)
    partial = folder / f".partial_parse.{os.getpid()}.{threading.get_ident()}"
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, folder / source.name)
    except OSError:
        partial.unlink(missing_ok=True)
