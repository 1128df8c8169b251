# One target per gate; CI calls the same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup compile validate lint test test-fast clean

## setup: create .venv and install the tool with its development dependencies
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml runtime/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./runtime -e '.[dev]'
	touch $@

## compile: the main job: validate the repository's content and compile every environment into dist/
compile: setup
	$(BIN)/dpm-policy validate
	$(BIN)/dpm-policy compile

validate: setup
	$(BIN)/dpm-policy validate

## lint: ruff, mypy (strict, on the package) and the generated-file checks
lint: setup
	$(BIN)/ruff check tools runtime tests benchmarks docs
	$(BIN)/mypy
	$(BIN)/dpm-policy schema --check

## test: every gate, then the whole test suite
test: lint
	$(BIN)/pytest

## test-fast: the suite without the slow tests
test-fast: setup
	$(BIN)/pytest -m "not slow"

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
