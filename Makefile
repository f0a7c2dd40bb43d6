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

## run: set up, migrate SQLite under var/, load reference and demo data, print sign-ins, serve
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (staff sign-in: http://127.0.0.1:$(PORT)/staff/sign-in)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

## test: set up and run the whole suite (DATABASE_URL chooses the database; SQLite by default)
test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules $(STATIC_NHSUK) staticfiles var
