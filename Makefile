# QIST Consult. `make run` serves the demonstration site; `make test` runs every test.
# Targets explain themselves: `make help`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
DEPS := pyproject.toml constraints.txt
ICALJS := tests/events/icaljs
# Test processes: each test has its own databases and ports, so they run side by side.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help run serve test bench lint format migrate migrations demo chromium icaljs lock clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: $(RUN_STAMP) migrate ## Install, migrate, load demonstration data when empty, serve on http://127.0.0.1:8000
	$(BIN)/consult demo --if-empty
	$(BIN)/consult serve

serve: $(RUN_STAMP) ## Serve without migrating or loading data (HOST, PORT, WORKERS from the environment)
	$(BIN)/consult serve

test: $(TEST_STAMP) chromium icaljs ## Run the whole suite on SQLite and PostgreSQL, browser tests included
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: $(TEST_STAMP) ## Run every benchmark against its baseline on PostgreSQL (about 8 minutes; figures in docs/benchmarks.md)
	$(BIN)/python -m bench

lint: $(TEST_STAMP) ## Check formatting, lint, types and the layer order (ruff, mypy, import-linter)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(TEST_STAMP) ## Reformat the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(RUN_STAMP) ## Apply database migrations to DATABASE_URL (default: SQLite under ./data)
	$(BIN)/consult migrate

migrations: $(RUN_STAMP) ## Write a migration for model changes (then commit it)
	$(BIN)/tortoise makemigrations

demo: $(RUN_STAMP) ## Load the demonstration data (safe to repeat)
	$(BIN)/consult demo

chromium: ## Install Chromium from Debian packages for browser tests, when missing and possible
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium from Debian packages for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "Chromium is missing and cannot be installed here (needs root and apt-get): browser tests will be skipped."; \
	fi

icaljs: ## Install ical.js (Thunderbird's parser) from npm for the calendar tests, when missing or its lock changed
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "npm is missing: the ical.js calendar tests will be skipped."; \
	elif [ ! -f $(ICALJS)/node_modules/.package-lock.json ] \
	  || [ $(ICALJS)/package-lock.json -nt $(ICALJS)/node_modules/.package-lock.json ] \
	  || [ $(ICALJS)/package.json -nt $(ICALJS)/node_modules/.package-lock.json ]; then \
	  npm ci --prefix $(ICALJS) --no-audit --no-fund; \
	fi

lock: ## Re-resolve dependencies into constraints.txt (after editing pyproject.toml)
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install -q --upgrade pip
	$(VENV)-lock/bin/pip install -q ".[test]"
	( echo "# Exact versions of every dependency, for reproducible installs. Regenerate with: make lock"; \
	  $(VENV)-lock/bin/pip freeze --exclude-editable | grep -v '^qist-consult' ) > constraints.txt
	rm -rf $(VENV)-lock build

clean: ## Remove the virtual environment and caches (keeps ./data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "QIST Consult needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): $(VENV)/bin/python $(DEPS)
	$(BIN)/pip install -q -c constraints.txt -e .
	@touch $@

$(TEST_STAMP): $(VENV)/bin/python $(DEPS)
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	@touch $@ $(RUN_STAMP)
