# One target per gate; CI calls the same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# How problems are printed: text, json or github (CI passes github for inline annotations).
FORMAT ?= text
# compile: the environments to build (default: every one), e.g. ENV=prod.
ENV ?=
# review, rules, check-pr: the commit the change is compared with; review and check-pr write the
# report to REPORT,
# its header naming the sides BASE_LABEL and HEAD_LABEL when given.
BASE ?= origin/main
REPORT ?= /dev/stdout
# review, rules, check-pr: GitHub's answers for the pull request and its reviews (gh api), both or neither;
# with them the required approvals are checked.
PULL_REQUEST ?=
REVIEWS ?=
APPROVALS = $(if $(REVIEWS),--pull-request "$(PULL_REQUEST)" --reviews "$(REVIEWS)")

.PHONY: setup setup-dev compile validate schema-check codeowners-check fmt-check review rules \
	check-change check-pr policy-tests lint test test-fast clean

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
	$(BIN)/dpm-policy validate --format $(FORMAT)
	$(BIN)/dpm-policy compile --format $(FORMAT) $(addprefix --env ,$(ENV))

## validate: every file against its model and the cross-file rules
validate: setup
	$(BIN)/dpm-policy validate --format $(FORMAT)

## schema-check, codeowners-check, fmt-check: the generated and canonical files are current
schema-check: setup
	$(BIN)/dpm-policy schema --check --format $(FORMAT)

codeowners-check: setup
	$(BIN)/dpm-policy codeowners --check --format $(FORMAT)

fmt-check: setup
	$(BIN)/dpm-policy fmt --check --format $(FORMAT)

## review: the pull-request report of the working tree against BASE, written to REPORT
review: setup
	$(BIN)/dpm-policy diff --base "$(BASE)" --format markdown $(APPROVALS) \
		$(if $(BASE_LABEL),--base-label "$(BASE_LABEL)") \
		$(if $(HEAD_LABEL),--head-label "$(HEAD_LABEL)") > "$(REPORT)"

## rules: the change rules of the working tree against BASE
rules: setup
	$(BIN)/dpm-policy diff --base "$(BASE)" --check --format $(FORMAT) $(APPROVALS)

## check-pr: the whole pull-request gate in one pass (validate, schemas, CODEOWNERS, formatting,
## policy tests, the change rules and approvals against BASE), the review report written to REPORT
check-pr: setup
	$(BIN)/dpm-policy check --base "$(BASE)" --format $(FORMAT) --report "$(REPORT)" $(APPROVALS) \
		$(if $(BASE_LABEL),--base-label "$(BASE_LABEL)") \
		$(if $(HEAD_LABEL),--head-label "$(HEAD_LABEL)")

## lint: ruff, mypy (strict, on the package) and the generated-file checks
lint: setup-dev
	$(BIN)/ruff check tools runtime tests benchmarks docs
	$(BIN)/mypy
	$(BIN)/dpm-policy schema --check

## policy-tests: the statements of intent in policy-tests/, on the compiled output
policy-tests: setup
	$(BIN)/dpm-policy test --format $(FORMAT)

## check-change: before a push, the change rules and the approvals the change will need, against
## the upstream branch (the pre-push hook runs the same)
check-change: setup
	$(BIN)/dpm-policy diff --check --base '@{upstream}' --head HEAD

## test: every gate, then the whole test suite
test: lint policy-tests
	$(BIN)/pytest

## test-fast: the suite without the slow tests
test-fast: setup-dev
	$(BIN)/pytest -m "not slow"

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
