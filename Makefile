# wikispiral: `make run` for a local site with demo content, `make test` for the test suite.
# Both create .venv with Python 3.12+ and install the dependencies on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
RUFF := $(VENV)/bin/ruff
MYPY := $(VENV)/bin/mypy
INSTALLED := $(VENV)/.installed

# Extra arguments for pytest or the benchmark: make test ARGS="-k healthz -x"
ARGS ?=

# CI runs on the real services; a value already in the environment wins.
ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wikispiral
export REDIS_URL ?= redis://127.0.0.1:6379/13
# The slowest tests in the log show where the 30-minute CI budget goes.
PYTEST_CI_ARGS := --durations=15
endif

# Python 3.12+ in this order: on PATH, then pyenv's installs (newest first), then python3.
# pyenv shims exist for versions that are not active and fail when run, so each is tried.
PYTHON_CANDIDATES = python3.13 python3.12 \
	$$(ls -d $(HOME)/.pyenv/versions/3.13*/bin/python3 2>/dev/null | sort -rV) \
	$$(ls -d $(HOME)/.pyenv/versions/3.12*/bin/python3 2>/dev/null | sort -rV) \
	python3
PYTHON_OK = -c 'import sys; sys.exit(sys.version_info < (3, 12))'

.PHONY: help run test lint install messages bench clean

help:
	@echo "make run    set up .venv, compile translations, migrate, load the demo, serve on 127.0.0.1:8000"
	@echo "make test   set up .venv, compile translations, check migrations, run pytest"
	@echo "            (CI=true also runs ruff and mypy, and uses PostgreSQL + Redis on 127.0.0.1)"
	@echo "make lint   ruff check, ruff format --check, mypy, makemigrations --check"
	@echo "make bench  run bench/page_views.py"
	@echo "make clean  remove .venv, caches, compiled translations, collected static files"
	@echo "            (keeps db.sqlite3 and media/)"
	@echo "Pass extra arguments with ARGS, e.g. make test ARGS='-k healthz -x'"

$(PY):
	@python=""; \
	for candidate in $(PYTHON_CANDIDATES); do \
		if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" $(PYTHON_OK) >/dev/null 2>&1; then \
			python="$$candidate"; break; \
		fi; \
	done; \
	if [ -z "$$python" ]; then \
		echo "error: wikispiral needs Python 3.12 or newer; none found as python3.13, python3.12," >&2; \
		echo "       in ~/.pyenv/versions/3.1[23]*, or as python3. Install one (e.g. pyenv install 3.13)." >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; \
	"$$python" -m venv $(VENV)

# Reinstall only when pyproject.toml is newer than the stamp.
$(INSTALLED): pyproject.toml | $(PY)
	@if ! $(PY) $(PYTHON_OK); then \
		echo "error: $(VENV) uses $$($(PY) --version); wikispiral needs 3.12+. Run make clean." >&2; \
		exit 1; \
	fi
	$(PY) -m pip install --disable-pip-version-check --quiet --editable '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

# Translations are compiled, not committed. Without gettext the site still runs, in English.
messages: $(INSTALLED)
	@if [ -z "$$(find . -path ./$(VENV) -prune -o -name '*.po' -print -quit)" ]; then \
		echo "No translation catalogues (*.po) yet: skipping compilemessages."; \
	elif ! command -v msgfmt >/dev/null 2>&1; then \
		echo "gettext's msgfmt is not installed: skipping compilemessages, the site stays in English."; \
		echo "(apt-get install gettext, then run make again)"; \
	else \
		echo "Compiling translations (manage.py compilemessages)"; \
		$(MANAGE) compilemessages --ignore=$(VENV) --verbosity 0; \
	fi

# The demo load logs warnings and errors only: without a broker its tasks run inline and Celery
# logs a line for each (about 130). The demo logins come last, right before the server's banner.
DEMO_LOAD := LOG_LEVEL=WARNING $(MANAGE)

run: messages
	$(MANAGE) migrate --noinput
	$(DEMO_LOAD) import_geography
	$(DEMO_LOAD) seed_demo --quiet
	$(DEMO_LOAD) seed_territories
	$(DEMO_LOAD) generate_demo_data --criteria 600
	$(DEMO_LOAD) seed_projects
	$(DEMO_LOAD) seed_progress
	$(DEMO_LOAD) seed_events
	$(DEMO_LOAD) seed_letters
	@$(MANAGE) seed_demo --logins
	@$(MANAGE) runserver 127.0.0.1:8000

lint: $(INSTALLED)
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(MANAGE) makemigrations --check --dry-run

test: messages
ifeq ($(CI),true)
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
endif
	$(MANAGE) makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_CI_ARGS) $(ARGS)

bench: messages
	$(PY) bench/page_views.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache staticfiles *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.mo' -path '*/locale/*' -delete
