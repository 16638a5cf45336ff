# The code location image. One image serves every process: gRPC code server (default CMD), webserver,
# daemon, Celery workers (`python -m pipeline_platform.workers`), dashboard and dbt docs server.
# Python packages come only from the wheelhouse `make wheelhouse` builds on the host (.wheelhouse/:
# the `make package` wheel, with the dbt project and its prepared manifest inside, and every
# dependency), so the build itself needs no network. `make image` builds it; BASE_IMAGE names any
# base with Python 3.11 and venv (the public python image by default; `make test-containers` uses a
# Debian bookworm base made locally with debootstrap, see deploy/local/base-image.sh).
# No secrets are baked in: every connection comes from the environment at run time
# (PIPELINE_DATABASE_URL, DAGSTER_POSTGRES_URL, PIPELINE_CELERY_BROKER_URL, SLACK_BOT_TOKEN, ...).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
LABEL pipeline-platform.stage=build
COPY .wheelhouse /tmp/wheelhouse
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /tmp/wheelhouse pipeline-platform

FROM ${BASE_IMAGE}
RUN useradd --create-home dagster
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH VIRTUAL_ENV=/opt/venv LANG=C.UTF-8 \
    PIPELINE_DASHBOARD_APP_DIR=/opt/dagster/app \
    DAGSTER_HOME=/opt/dagster/home PIPELINE_STATE_DIR=/opt/dagster/state PIPELINE_CODE_SERVER_PORT=4000
# dbt writes target/ and logs/ inside its project dir at run time: the packaged copy must be writable.
RUN chown -R dagster "$(python -c 'import importlib.util as u; print(u.find_spec("pipeline_platform").submodule_search_locations[0])')/dbt/dbt_project_packaged" \
 && mkdir -p /opt/dagster/home/storage /opt/dagster/state /opt/dagster/pgdata /opt/dagster/app /opt/dagster/dbt-docs \
 && chown -R dagster /opt/dagster
COPY --chown=dagster deploy/dagster.prod.yaml /opt/dagster/home/dagster.yaml
COPY --chown=dagster deploy/workspace.grpc.yaml /opt/dagster/app/workspace.yaml
COPY --chown=dagster dashboards /opt/dagster/app/dashboards
USER dagster
WORKDIR /opt/dagster/app
EXPOSE 4000 3000 8501 8580
CMD ["dagster", "api", "grpc", "-m", "pipeline_platform.definitions", "-h", "0.0.0.0", "-p", "4000"]
