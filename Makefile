# ctctdash — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PORT ?= 8000
# The settings derive the site URL (token issuer, links in mail) from PORT unless CTCTDASH_SITE_URL is set.
export PORT

.PHONY: run test lint fmt spec ops bench install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# axe-core for the browser tests' accessibility check, exactly as package-lock.json pins it.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

run: $(STAMP)
	@mkdir -p var
	@$(BIN)/python scripts/run_all.py

test: $(STAMP) $(NODE_STAMP)
	DJANGO_SETTINGS_MODULE=ctctdash.settings.test $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=ctctdash.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=ctctdash.settings.test $(MANAGE) makemigrations --check --dry-run

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

spec: $(STAMP)
	$(BIN)/python scripts/derive_spec.py
	$(BIN)/python scripts/derive_client_ops.py

ops: $(STAMP)
	@$(MANAGE) v3_ops

bench: $(STAMP)
	@for b in bench/bench_*.py; do [ -e "$$b" ] && $(BIN)/python "$$b"; done; true

clean:
	rm -rf var/test .pytest_cache .mypy_cache .ruff_cache
