"""Retry from failure for the single dbt step: rebuild only what the failed run did not finish.

Dagster retries a failed run step by step, and all dbt models live in one step, so a plain retry
would rebuild every model again, including the ones that succeeded. Here a retry of a failed run
reads that run (and the failed runs before it in the same retry chain) from the event log and
excludes from ``dbt build`` every model that was materialized there without a failed blocking
check. What remains is exactly the failed models and everything dbt skipped downstream of them.
"""

import dagster as dg

RESUME_RETRY_TAG = "dagster/is_resume_retry"
UNIQUE_ID_KEY = "dagster_dbt/unique_id"


def _is_resume_retry(run: dg.DagsterRun) -> bool:
    return bool(run.parent_run_id) and (run.tags.get(RESUME_RETRY_TAG) == "true" or run.step_keys_to_execute is not None)


def finished_keys(instance: dg.DagsterInstance, run: dg.DagsterRun) -> set[dg.AssetKey]:
    """Assets the failed ancestors of ``run`` materialized cleanly; empty unless ``run`` resumes one."""
    done: set[dg.AssetKey] = set()
    while _is_resume_retry(run):
        parent = instance.get_run_by_id(run.parent_run_id)
        if parent is None or parent.status != dg.DagsterRunStatus.FAILURE:
            break
        built = {
            e.dagster_event.asset_key
            for e in instance.all_logs(parent.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        }
        blocked = {
            data.asset_key
            for e in instance.all_logs(parent.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
            if (data := e.dagster_event.event_specific_data).blocking and not data.passed
        }
        done |= built - blocked
        run = parent
    return done


def exclude_args(context: dg.AssetExecutionContext) -> list[str]:
    """``--exclude`` of the selected models a resumed run must not rebuild (none on a first run)."""
    done = finished_keys(context.instance, context.run) & set(context.selected_asset_keys)
    if not done:
        return []
    specs = context.assets_def.specs_by_key
    nodes = sorted(str(specs[key].metadata[UNIQUE_ID_KEY]) for key in done)
    context.log.info(f"Resuming a failed run: {len(nodes)} model(s) already built are excluded")
    # unique_id is model.<package>.<name>; dbt selects it by name, unique within the project.
    return ["--exclude", " ".join(uid.split(".")[-1] for uid in nodes)]
