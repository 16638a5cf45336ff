"""The run's partition window, handed to dbt through the environment rather than ``--vars``.

``--vars`` would be the obvious channel, but dbt re-parses the whole project whenever the vars
differ from its last parse, i.e. on every daily run; a changed environment variable re-parses only
the model that reads it. ``macros/utc_day.sql:in_window`` reads either, so a hand-run
``dbt build --vars '{"min_date": ..., "max_date": ...}'`` still works.
"""

import dagster as dg

WINDOW_ENV = ("PIPELINE_DBT_MIN_DATE", "PIPELINE_DBT_MAX_DATE")


def window_env(window: dg.TimeWindow | None = None) -> dict[str, str]:
    """The window as half-open UTC days; empty values (not absent ones) mean all days, so a run
    without a window never inherits the previous run's in the same process."""
    if window is None:
        return dict.fromkeys(WINDOW_ENV, "")
    return dict(zip(WINDOW_ENV, (window.start.date().isoformat(), window.end.date().isoformat())))
