# One target per gate; CI calls the same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-dev compile validate lint test test-fast clean

## setup: create .venv with the tool and what it needs to run (no test or lint tools)
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml runtime/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./runtime -e .
	touch $@

## setup-dev: setup, plus the test, lint and benchmark tools (the dev extra)
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ./runtime -e '.[dev]'
	touch $@

## compile: the main job: validate the repository's content and compile every environment into dist/
compile: setup
	$(BIN)/dpm-policy validate
	$(BIN)/dpm-policy compile

validate: setup
	$(BIN)/dpm-policy validate

## lint: ruff, mypy (strict, on the package) and the generated-file checks
lint: setup-dev
	$(BIN)/ruff check tools runtime tests benchmarks docs
	$(BIN)/mypy
	$(BIN)/dpm-policy schema --check

## test: every gate, then the whole test suite
test: lint
	$(BIN)/pytest

## test-fast: the suite without the slow tests
test-fast: setup-dev
	$(BIN)/pytest -m "not slow"

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
