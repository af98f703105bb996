# Movie Nexus — developer commands. `make run` and `make test` need only Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# `make run PORT=8080 HOST=127.0.0.1`: where the development server listens.
PORT ?= 8000
HOST ?= 0.0.0.0
# Extra arguments for `make worker` / `make beat` (e.g. WORKER_ARGS="--concurrency 4").
WORKER_ARGS ?=
BEAT_ARGS ?=
CELERY := $(PY) -m celery --app config.celery:app --workdir backend
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install install-dev run migrate demo services-check worker beat test lint format schema client check-deploy clean bench bench-profile bench-sync bench-import hardening loadtest

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/$$(PORT)/$(PORT)/g' | awk -F ':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'
	@echo "  Variables: PORT=$(PORT) HOST=$(HOST) (make run), PYTEST_ARGS, WORKER_ARGS, BEAT_ARGS, PYTHON=$(PYTHON)"

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt requirements/prod.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements/prod.txt
	@touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(PIP) install --quiet -r requirements/dev.txt
	@touch $@

install: $(VENV)/.base-installed  ## Create the virtualenv and install runtime requirements

install-dev: $(VENV)/.dev-installed  ## Install runtime + development requirements

migrate: install  ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate  ## Load the bundled demo catalog (idempotent)
	$(PY) manage.py load_demo_catalog

services-check: install  ## Real services: create the DATABASE_URL database if missing; say what does not answer
	$(PY) manage.py check_services

worker: install  ## Celery worker (needs CELERY_BROKER_URL): sends the emails, runs background resyncs
	@[ -n "$$CELERY_BROKER_URL" ] || { echo "make worker: CELERY_BROKER_URL is not set, so tasks run inside the web process; no worker is needed."; exit 2; }
	exec $(CELERY) worker --loglevel INFO $(WORKER_ARGS)

beat: install  ## Celery beat (needs CELERY_BROKER_URL): the sync schedule, instead of cron
	@[ -n "$$CELERY_BROKER_URL" ] || { echo "make beat: CELERY_BROKER_URL is not set; beat needs a real broker."; exit 2; }
	exec $(CELERY) beat --loglevel INFO --schedule $(abspath .celerybeat-schedule) $(BEAT_ARGS)

run: demo  ## Install, migrate, load the demo catalog and serve on :$(PORT)
	@echo ""
	@echo "  Movie Nexus is starting on http://localhost:$(PORT)"
	@echo "    API         http://localhost:$(PORT)/api/v1/movies/"
	@echo "    Swagger UI  http://localhost:$(PORT)/api/docs/"
	@echo "    ReDoc       http://localhost:$(PORT)/api/redoc/"
	@echo "    Admin       http://localhost:$(PORT)/admin/  (create a login: $(PY) manage.py createsuperuser)"
	@echo "    Health      http://localhost:$(PORT)/health/ready"
	@echo ""
	exec $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev  ## Install dev requirements and run the whole test suite
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev  ## ruff lint + format check
	$(VENV)/bin/ruff check backend bench manage.py
	$(VENV)/bin/ruff format --check backend bench manage.py

format: install-dev  ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix backend bench manage.py
	$(VENV)/bin/ruff format backend bench manage.py

schema: install  ## Write the OpenAPI schema to docs/openapi.yaml
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

NPM ?= npm
client: schema  ## TypeScript client (Node 20): types from the schema, ajv strict check, tsc --strict build
	cd clients/typescript && $(NPM) ci --no-audit --no-fund --loglevel=error
	cd clients/typescript && $(NPM) run --silent generate && $(NPM) run --silent check-schema && $(NPM) run --silent build

bench: install  ## Benchmark gunicorn vs granian on PostgreSQL + Redis with wrk; writes docs/performance.md
	$(PY) -m bench.run

bench-profile: install  ## In-process cost of one warm read per target (µs, SQL, Redis round trips); PROFILE=name for cProfile
	$(PY) -m bench.profile_reads $(if $(PROFILE),--profile $(PROFILE))

$(VENV)/.loadtest-installed: requirements/loadtest.txt $(VENV)/.dev-installed
	$(PIP) install --quiet -r requirements/loadtest.txt
	@touch $@

loadtest: $(VENV)/.loadtest-installed  ## Locust mix (browse, search, signed-in favorites) against gunicorn; bounded
	cd backend/tests/hardening/support && $(abspath $(PY)) loadtest.py

hardening: $(VENV)/.loadtest-installed  ## Deep fuzz, abuse, security, faults (+services if set), loadtest → docs/hardening.md
	cd backend/tests/hardening/support && $(abspath $(PY)) run_hardening.py

BENCH_IMPORT_ARGS ?=
bench-import: install  ## Import a 5,000-row Letterboxd export from a TMDb double limited to 40 req/s; time, match rate, 429s
	$(PY) bench/imports/bench_import.py $(BENCH_IMPORT_ARGS)

BENCH_SYNC_ARGS ?=
bench-sync: install  ## Sync 1,000 movies from a TMDb double limited to 40 req/s; report throughput and 429s
	$(PY) bench/sync/bench_sync.py $(BENCH_SYNC_ARGS)

clean:  ## Remove the virtualenv, the local database and caches
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .celerybeat-schedule*
