"""The environment dbt reads (the warehouse connection, the partition window), set only while a step's
dbt commands run.

The platform's ``profiles.yml`` and the window macro read environment variables, and dagster-dbt
starts dbt with the process's environment, so the values have to be in ``os.environ`` when a command
starts. Left there, they would outlive the step: an in-process run (``dg.materialize``, the
in_process executor, a notebook, a test) would hand its partition window to every dbt command the
process starts afterwards, and a later full build would silently build one day. So the previous
values come back when the step's dbt work ends, whether it succeeded or not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def dbt_environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` for the block; afterwards each variable is as it was (or unset)."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
