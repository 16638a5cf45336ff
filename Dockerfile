# The code location image: a thin wrapper around `make package`, which builds the wheel with the dbt
# project and its prepared manifest inside. No secrets are baked in: every connection comes from the
# environment at run time (PIPELINE_DATABASE_URL, DAGSTER_POSTGRES_URL, SLACK_BOT_TOKEN, ...).
# One image serves every process: gRPC code server (default CMD), webserver, daemon and dashboard.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the wheel is built from: never the host's .venv, .state (pgdata) or dist/.
COPY pyproject.toml README.md Makefile ./
COPY pipeline_platform pipeline_platform
COPY dbt_project dbt_project
# A host's dbt target holds a partial parse with host paths: always parse afresh.
RUN rm -rf dbt_project/target dbt_project/logs && make package

FROM python:3.11-slim
RUN useradd --create-home dagster
COPY --from=build /src/dist/*.whl /tmp/
# dbt writes target/ and logs/ inside its project dir at run time: the packaged copy must be writable.
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl \
 && chown -R dagster "$(python -c 'import importlib.util as u; print(u.find_spec("pipeline_platform").submodule_search_locations[0])')/dbt/dbt_project_packaged"
ENV PIPELINE_DASHBOARD_APP_DIR=/opt/dagster/app \
    DAGSTER_HOME=/opt/dagster/home PIPELINE_STATE_DIR=/opt/dagster/state
RUN mkdir -p /opt/dagster/home/storage /opt/dagster/state /opt/dagster/app && chown -R dagster /opt/dagster
COPY --chown=dagster deploy/dagster.prod.yaml /opt/dagster/home/dagster.yaml
COPY --chown=dagster deploy/workspace.grpc.yaml /opt/dagster/app/workspace.yaml
COPY --chown=dagster dashboards /opt/dagster/app/dashboards
USER dagster
WORKDIR /opt/dagster/app
EXPOSE 4000 3000 8501
CMD ["dagster", "api", "grpc", "-m", "pipeline_platform.definitions", "-h", "0.0.0.0", "-p", "4000"]
