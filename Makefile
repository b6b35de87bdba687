# onconav: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATIC := src/onconav/web/static

.PHONY: install install-test run test lint typecheck system-packages bench-data bench clean

install: $(VENV)/.installed

# The application: a virtual environment with onconav installed (editable) and htmx from npm.
$(VENV)/.installed: pyproject.toml package.json package-lock.json
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || ./scripts/install-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --silent && cp node_modules/htmx.org/dist/htmx.min.js $(STATIC)/htmx.min.js; \
	else echo "npm not found: pages will work without htmx"; fi
	touch $@

# What the tests need on top: test libraries and the system packages (Chromium, PostgreSQL).
install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

system-packages:
	./scripts/install-system-packages

run: install
	$(BIN)/onconav serve

lint: install-test
	$(BIN)/ruff check src tests benchmarks reliability
	$(BIN)/ruff format --check src tests benchmarks reliability
	$(BIN)/lint-imports  # the layering of docs/architecture.md (contracts in pyproject.toml)

typecheck: install-test
	$(BIN)/mypy

test: system-packages install-test lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Benchmark data: the large demo (1,000,000 practitioners) in var/bench, then the search benchmark.
bench-data: install
	ONCONAV_DATA_DIR=var/bench $(BIN)/onconav demo load --size large

bench: install
	ONCONAV_DATA_DIR=var/bench $(BIN)/python benchmarks/search.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
