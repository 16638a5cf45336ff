"""The one shape every Slack alert sensor shares, so each alert module holds only what it reports.

Skipping without a token, loading the cursor, delivering what is pending and saving the cursor must
happen in the same order in every alert sensor: a sensor that saved its cursor before delivering
would lose alerts during a Slack outage. Event-reading sensors also share where a first tick starts
(the newest event, so enabling alerts never floods the channel with history).
"""

from collections.abc import Callable

import dagster as dg

from pipeline_platform.automation.alert_state import AlertState, deliver, skip_without_token


def slack_alert_sensor(slack, *, name: str, description: str, minimum_interval_seconds: int,
                       default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.RUNNING):
    """Decorate ``collect(context, state) -> summary``; the summary may use ``{sent}``, ``{pending}``
    and ``{waiting}``, filled in after delivery."""

    def wrap(collect: Callable[[dg.SensorEvaluationContext, AlertState], str]) -> dg.SensorDefinition:
        @dg.sensor(name=name, minimum_interval_seconds=minimum_interval_seconds,
                   default_status=default_status, description=description)
        def _alert_sensor(context: dg.SensorEvaluationContext):
            skip = skip_without_token(slack)
            if skip:
                return skip
            state = AlertState.load(context.cursor)
            summary = collect(context, state)
            sent = deliver(slack, state, context.log)
            context.update_cursor(state.dump())
            return dg.SkipReason(summary.format(sent=sent, pending=len(state.pending), waiting=len(state.waiting)))

        return _alert_sensor

    return wrap


def start_from_newest(state: AlertState, newest: Callable[[], list]) -> None:
    """On the first tick, mark the newest existing event as read (0 when there is none)."""
    if state.mark is None:
        latest = newest()
        state.mark = latest[0].storage_id if latest else 0
