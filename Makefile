# pipeline-platform: every target installs what it needs first, so a fresh clone needs nothing else.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The team's dbt project (README: Configuration); dbt_project/ holds the demo's.
DBT_DIR := $(or $(PIPELINE_DBT_PROJECT_DIR),dbt_project)
MANIFEST := $(DBT_DIR)/target/manifest.json
ENV := eval "$$($(PY) -m pipeline_platform.cli env)"
PYTEST_ARGS ?=
DAGSTER_PORT ?= 3000
WHEELHOUSE := .wheelhouse
BASE_IMAGE ?= python:3.11-slim
IMAGE ?= pipeline-platform:latest
# The private engine of `make test-containers` (deploy/local/dockerd.sh); its data root keeps images.
CONTAINERS_DIR ?= $(CURDIR)/.containers
# The venv first on PATH: dagster-dbt looks up `dbt` there, and so do the Dagster processes make starts.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install manifest dev run test report stop migrate db-url psql bench bench-smoke package wheelhouse image \
	test-containers clean watchdog

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(STAMP)

# The dbt manifest is prepared ahead of time so the code location never runs `dbt parse` on load.
# dbt deps (packages.yml / dependencies.yml) + dbt parse, never while the code location loads.
$(MANIFEST): $(STAMP) $(shell find $(DBT_DIR) -name '*.sql' -o -name '*.yml' 2>/dev/null | grep -v -e /target/ -e /dbt_packages/)
	@rm -rf pipeline_platform/dbt/dbt_project_packaged  # a stale packaged copy would shadow the project
	$(PY) -m pipeline_platform.dbt.prepare
	@touch $@

manifest: $(MANIFEST)  ## dbt deps + dbt parse of the dbt project (PIPELINE_DBT_PROJECT_DIR, default dbt_project/)

dev: $(MANIFEST)  ## Dagster UI (127.0.0.1:3000) + daemon on embedded Postgres, with the demo sources
	@$(ENV) && $(PY) -m pipeline_platform.cli demo && $(PY) -m pipeline_platform.cli record-dev $$$$ \
	  && exec $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(DAGSTER_PORT)

run: $(MANIFEST)  ## materialize the whole graph once, headless, and print a summary
	@$(ENV) && $(PY) -m pipeline_platform.cli run

test: $(MANIFEST)  ## the whole suite (browser tests need Chromium; CI installs it); edits no tracked file
	$(PY) -m pytest -q -n 3 --dist loadfile $(PYTEST_ARGS)

# One run of every test that records faults, then the README table from that run alone, stamped with
# the commit it ran on (results of any pytest run: test-artifacts/reliability/latest.{json,md}).
report: $(MANIFEST)  ## fault-injection tests, then the README reliability table from this one run
	@status=0; $(PY) -m pytest -q -n 3 --dist loadfile $$(grep -rl --include='test_*.py' fault_tally tests) \
	  $(PYTEST_ARGS) || status=$$?; $(PY) -m tests.reliability_tally && exit $$status

# Beside `make dev` (or as its own service): what sensors cannot report because they run inside
# the daemon and the code location. See docs/alerts.md.
watchdog: $(STAMP)  ## alerts for a lost daemon heartbeat or a code location that fails to load
	@$(ENV) && exec $(PY) -m pipeline_platform.automation.watchdog --workspace workspace.yaml

stop: $(STAMP)  ## stop what dev/run started: Dagster, dashboard, demo API, embedded Postgres
	@$(PY) -m pipeline_platform.cli stop

# After upgrading Dagster: stop `make dev` first, back up the database (docs/operations.md), then
# migrate. Same environment as `make dev`, so it migrates exactly the instance `make dev` uses.
migrate: $(STAMP)  ## upgrade Dagster's instance storage schema (run history, schedules) in place
	@$(ENV) && $(BIN)/dagster instance migrate

db-url: $(STAMP)  ## print the warehouse URL and nothing else
	@$(PY) -m pipeline_platform.cli db-url

psql: $(STAMP)  ## a psql shell on the warehouse
	@$(PY) -m pipeline_platform.cli psql

bench: $(MANIFEST)  ## performance cases of issue 7 (ratios vs plain baselines) -> bench/results/latest.{json,md}
	$(PY) bench/run.py

bench-smoke: $(MANIFEST)  ## the same harness at tiny sizes (checks it runs, measures nothing)
	$(PY) bench/run.py --smoke --out $${TMPDIR:-/tmp}/pp-bench-smoke

# The packaged copy exists only while the wheel builds (trap: even when a step fails), since
# DbtProject prefers it over dbt_project/; of target/ it keeps only the manifests, never the dev
# run folders or logs a local target/ accumulates.
package: $(STAMP)  ## wheel of the code location with the dbt project and prepared manifest inside (dist/)
	@rm -rf pipeline_platform/dbt/dbt_project_packaged build dist
	@p=pipeline_platform/dbt/dbt_project_packaged; trap 'rm -rf '$$p' build' EXIT; set -ex; \
	  $(PY) -m pipeline_platform.dbt.prepare --package; \
	  find $$p/target -mindepth 1 -maxdepth 1 ! -name manifest.json ! -name semantic_manifest.json -exec rm -rf {} +; \
	  rm -rf $$p/logs; \
	  $(PY) -m pip wheel -q --no-deps --no-build-isolation -w dist .
	@ls dist/*.whl

# The image installs only from here (no network in the build). The host's Python must match the
# image's (3.11): the wheels are the host's. async-timeout is what redis needs on Python < 3.11.3
# (Debian bookworm's 3.11.2) when the host runs a later 3.11. pip's cache makes a rebuild cheap.
wheelhouse: package  ## the code location wheel and every dependency as wheels (.wheelhouse/), for `make image`
	@rm -rf $(WHEELHOUSE) && mkdir -p $(WHEELHOUSE)
	$(PY) -m pip wheel -q -w $(WHEELHOUSE) dist/*.whl 'async-timeout>=4.0.3'

image: wheelhouse  ## the container image $(IMAGE) from BASE_IMAGE (default python:3.11-slim)
	docker build -q --force-rm --build-arg BASE_IMAGE=$(BASE_IMAGE) -t $(IMAGE) .
	@docker image prune -f --filter label=pipeline-platform.stage=build >/dev/null  # the build stage's leftovers

# Root only (it runs its own dockerd, no bridge, no iptables: host network, loopback). CI runs it
# after `make test`. The Debian base image is made once per engine data root and kept. Also runs
# the Celery deployment as processes (Redis, two workers, a worker killed mid-load): minutes, too
# long for `make test`.
test-containers: $(MANIFEST)  ## Celery workers as processes, then the image on a local Debian base and the compose stack
	@set -e; export CONTAINERS_DIR=$(CONTAINERS_DIR) DOCKER_HOST=unix://$(CONTAINERS_DIR)/docker.sock; \
	  deploy/local/dockerd.sh start; trap 'deploy/local/dockerd.sh stop' EXIT; \
	  BASE_IMAGE=pipeline-platform-base:bookworm deploy/local/base-image.sh; \
	  $(MAKE) --no-print-directory image BASE_IMAGE=pipeline-platform-base:bookworm; \
	  $(PY) -m pytest -q -p no:cacheprovider tests/deploy/celery_processes.py tests/deploy/stack_containers.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(DBT_DIR)/target build dist *.egg-info $(WHEELHOUSE)
