# The two commands that matter: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
NHSUK_DIST := node_modules/nhsuk-frontend/dist/nhsuk
STATIC_NHSUK := paedot/core/static/nhsuk
export DJANGO_SETTINGS_MODULE := paedot.config.settings

.PHONY: install run test lint format bench clean

## install: idempotent set-up used by run and test (.venv, Python and npm packages, NHS assets)
install: $(VENV)/.installed $(STATIC_NHSUK)/.copied

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

$(STATIC_NHSUK)/.copied: node_modules/.installed
	rm -rf $(STATIC_NHSUK)
	mkdir -p $(STATIC_NHSUK)
	cp $(NHSUK_DIST)/nhsuk-frontend.min.css $(NHSUK_DIST)/nhsuk-frontend.min.js $(STATIC_NHSUK)/
	cp -r $(NHSUK_DIST)/assets $(STATIC_NHSUK)/assets
	touch $@

## run: set up, migrate SQLite under var/, load reference and demo data, print sign-ins, serve; a background
## worker (db_worker) sends the queued email and text messages, and stops when the server stops
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo
	$(PY) manage.py schedule_daily_jobs
	@echo "Serving on http://127.0.0.1:$(PORT)/  (staff sign-in: http://127.0.0.1:$(PORT)/staff/sign-in)"
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

## test: set up and run the whole suite (DATABASE_URL chooses the database; SQLite by default)
test: install
	$(PY) -m pytest

## bench: the service on PostgreSQL at one size, SIZE=city (50,000 referrals, the default) or SIZE=nation (1,000,000
## referrals, about 10 appointments each): p50/p95 of the waiting list, a child's timeline and the dashboard, referral
## intake per second with concurrent clients (none lost or duplicated), concurrent booking (no double booking) and
## pgbench. Writes bench/results.json; see docs/benchmarks.md. A benchmark, not a test. DATABASE_URL chooses the
## server (default postgres://postgres@127.0.0.1:5432/paedot_bench_$(SIZE)); the data is loaded once and reused.
SIZE ?= city
bench: install
	$(PY) scripts/bench.py --size $(SIZE)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules $(STATIC_NHSUK) staticfiles var
