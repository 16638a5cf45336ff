"""What the run-kill tests do and measure around the kill: wait, kill, check, count.

Split from test_run_kill.py so the test reads as the fault story; everything here acts on real
processes (psutil) and on the real instance and warehouse.
"""


import dagster as dg
import psutil

from tests.helpers import wait_until
from tests.reliability.live_instance import DONE, LiveInstance


def wait_for(conn, query: str, params, timeout: float = 120) -> list:
    """The rows of ``query`` once it returns any (or the empty list after ``timeout``)."""
    return wait_until(lambda: conn.execute(query, params).fetchall(), timeout)


def kill_and_check_run(live: LiveInstance, run_id: str) -> list[str]:
    """Kill the run worker; the run must end FAILED and every process of the run must be gone.
    Returns the command lines of the processes that were killed with it."""
    descendants = live.kill_run_worker()
    run = live.wait(run_id, DONE, 30)
    _, alive = psutil.wait_procs(list(descendants), timeout=10)
    assert run.status == dg.DagsterRunStatus.FAILURE, f"{run.status}\n{live.tails()}"
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == [], "a process of the killed run lives on"
    crash = [e.message for e in live.instance.all_logs(run_id) if "SIGKILL" in (e.message or "")]
    assert crash, "the code server did not report the killed worker"
    return list(descendants.values())


def slots_held(live: LiveInstance, run_id: str, timeout: float = 20) -> int:
    """How many `warehouse` pool slots ``run_id`` still holds once they are freed or ``timeout`` passed."""
    def held() -> list:
        slots = live.instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
        return [s for s in slots if s.run_id == run_id]

    return 0 if wait_until(lambda: not held(), timeout, every=0.5) else len(held())


def write_customers(landing, day: str, first: int, count: int) -> set[int]:
    """A customers landing file for ``day`` with ids ``first`` .. ``first + count - 1``."""
    path = landing / "customers" / f"customers_{day}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        out.write("customer_id,name,email,country,signup_date,updated_at\n")
        for i in range(first, first + count):
            out.write(f"{i},name {i},c{i}@example.com,DE,{day},{day}T10:00:00+00:00\n")
    return set(range(first, first + count))


def defs_keys() -> list[dg.AssetKey]:
    from pipeline_platform.definitions import defs

    return sorted(defs.resolve_asset_graph().get_all_asset_keys(), key=lambda k: k.to_user_string())
