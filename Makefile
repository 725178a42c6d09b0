# The two commands a new user needs: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
# The interpreter of .venv: the system's /usr/bin/python3 when it is 3.11 or newer and can make virtualenvs, else
# the python3 first on PATH; PY=... picks another. Why: a distribution's Python has the interpreter linked into its
# executable, while a pyenv-style build (--enable-shared, no --enable-optimizations) runs it from a shared library;
# on the 2-core CI machine the same pages took 15-20% less CPU under Debian's build (README, Performance).
SYSTEM_PY := $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3)
PY ?= $(or $(SYSTEM_PY),python3)
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
RUBRIC := fixtures/rubric/2026.1.yaml
# Published after the demo seeder, which scores every demo cycle against the latest published rubric and
# answers every indicator whatever the organization's type: demo cycles stay on 2026.1, new cycles may use 2026.2.
RUBRIC_NEXT := fixtures/rubric/2026.2.yaml
# Participation terms (loaded before the demo seeder, whose organizations accept them).
TERMS := fixtures/terms/2026.1.md
DEMO_ORGS ?= 60
DEMO_CYCLES ?= 3

.PHONY: run worker test test-scale lint fmt bench bench-workers loadtest soak backup restore audit lock chromium clean

$(PYTHON):
	@$(PY) -c 'import sys; sys.exit("Python 3.11 or newer is needed (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip

# Re-install only when the dependencies change, so that a second `make run` starts at once.
$(VENV)/.installed-run: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

# Scorecard charts need a Chromium (kaleido drives it). On Debian as root we install Debian's package;
# elsewhere we say what to install, and the portal still runs (scorecards fail with the same message).
chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium and fonts for scorecard charts (once)..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-dejavu-core libharfbuzz-subset0 >/dev/null; \
	else \
		echo "NOTE: no Chromium found. PDF scorecards need it for their charts:"; \
		echo "      install Debian's 'chromium' package (apt-get install chromium) or set CHROMIUM_PATH."; \
	fi

# Set up everything and serve the portal on http://127.0.0.1:8000.
run: $(VENV)/.installed-run chromium
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py load_rubric $(RUBRIC) --publish
	$(PYTHON) manage.py load_terms $(TERMS)
	$(PYTHON) manage.py seed_demo --orgs $(DEMO_ORGS) --cycles $(DEMO_CYCLES) --seed 1 --if-empty
	$(PYTHON) manage.py publish_benchmarks --all-cycles --if-none
	$(PYTHON) manage.py load_rubric $(RUBRIC_NEXT) --publish
	@echo "Starting a Celery worker (with beat) on $${CELERY_BROKER_URL:-the embedded broker in var/celery-broker}"
	@# Ctrl-C stops the server; the trap then stops the worker (warm shutdown: its Chromium too) and waits.
	@$(BIN)/celery -A lhs_portal worker --beat --loglevel=INFO --concurrency=2 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PYTHON) manage.py runserver 127.0.0.1:8000

# A worker on its own, for a second terminal or another machine (`make run` starts one already).
# Exactly one worker of a cluster runs beat (the periodic sweep): `make worker BEAT=` on the others.
BEAT ?= --beat
worker: $(VENV)/.installed-run
	$(BIN)/celery -A lhs_portal worker $(BEAT) --loglevel=INFO --concurrency=2

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# Only the scale-out test (part of `make test` too): two separate worker processes render a 200-scorecard
# batch while one is killed; about 4 minutes on a quiet 2-core machine.
test-scale: $(VENV)/.installed-test
	$(BIN)/pytest tests/faults/test_scale_out.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-test
	$(PYTHON) manage.py bench $(BENCH_ARGS)

# Scorecard batch throughput with 1 and 2 separate worker processes (PostgreSQL and Redis), and the ratio.
bench-workers: $(VENV)/.installed-test
	$(PYTHON) manage.py bench_workers $(BENCH_WORKERS_ARGS)

# Backups of the PostgreSQL database named by DATABASE_URL (custom format: compressed, restorable selectively).
BACKUP_DIR ?= var/backups
backup:
	@[[ "$$DATABASE_URL" == postgres* ]] || { echo "make backup needs DATABASE_URL=postgres://... (pg_dump)"; exit 2; }
	@mkdir -p $(BACKUP_DIR)
	@file=$(BACKUP_DIR)/lhs-$$(date -u +%Y%m%dT%H%M%SZ).dump; \
	pg_dump --format=custom --no-owner --no-privileges --file="$$file" "$$DATABASE_URL" && echo "Backup written to $$file"

# make restore FILE=var/backups/lhs-....dump  (into the database named by DATABASE_URL; replaces its tables)
restore:
	@[[ "$$DATABASE_URL" == postgres* ]] || { echo "make restore needs DATABASE_URL=postgres://... (pg_restore)"; exit 2; }
	@[ -f "$(FILE)" ] || { echo "make restore needs FILE=path/to/backup.dump"; exit 2; }
	pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$$DATABASE_URL" "$(FILE)"
	@echo "Restored $(FILE)"

# Known vulnerabilities in the locked dependencies. Needs PyPI's JSON API or OSV, which this CI machine cannot reach.
audit: $(VENV)/.installed-test
	$(BIN)/pip-audit --strict --no-deps --progress-spinner off -r requirements.lock

lock: $(VENV)/.installed-test
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

# Capacity of the mixed journey and the floor page against gunicorn and PostgreSQL (DATABASE_URL): an open
# model, stepped rates; prints each journey's capacity, their ratio and gunicorn's CPU per request.
loadtest: $(VENV)/.installed-test
	$(PYTHON) manage.py loadtest $(LOADTEST_ARGS)

# 20 minutes of the load test at 70% of capacity plus a scorecard batch, the worker's Chromium killed once:
# errors and the memory of web and worker at start, middle and end (README). Not part of `make test`.
soak: $(VENV)/.installed-test
	$(PYTHON) manage.py soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
