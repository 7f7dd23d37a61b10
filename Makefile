# Focusboard. `make run` and `make test` set everything up from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
# The local PostgreSQL (trust auth on this kind of machine); override for another server.
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test test-postgres bench loadtest faults lint chromium postgres clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

run: $(RUNTIME_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Debian's Chromium drives the browser tests (Playwright's own download does not work here).
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: $(DEV_STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start && \
		for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@pg_isready -h 127.0.0.1 -p 5432

test-postgres: $(DEV_STAMP) chromium postgres
	DATABASE_URL=$(PG_URL) FOCUSBOARD_EXPECT_DB=postgresql $(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark runs and prints its figures; the status says whether any goal failed.
bench: $(DEV_STAMP)
	@status=0; for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || status=1; done; \
		exit $$status

# Load (README "Load"): gunicorn (4 workers) on a throwaway database of the local PostgreSQL,
# locust on loopback for LOADTEST_SECONDS (60); then the fault run. Both tear down what they
# started, even on failure; the status says whether either failed.
loadtest: $(DEV_STAMP) postgres
	@status=0; PG_URL=$(PG_URL) $(PY) bench/loadtest/run.py || status=1; \
		$(PY) bench/loadtest/faults.py || status=1; exit $$status

# PostgreSQL stopped and started under gunicorn, in a throwaway cluster (never the one on 5432).
faults: $(DEV_STAMP) postgres
	$(PY) bench/loadtest/faults.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy core teams focusboard milestones schedule tripwires config

clean:
	rm -rf $(VENV) .test-db-*.sqlite3* staticfiles
