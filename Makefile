# One target per gate; CI calls the same targets.
SHELL := /bin/bash
# A failure anywhere in a pipeline fails the recipe: a report copied into a job summary through
# tee must not hide its command's exit status.
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# How problems are printed: text, json or github (CI passes github for inline annotations).
FORMAT ?= text
# compile: the environments to build (default: every one), e.g. ENV=prod.
ENV ?=
# review, rules, check-pr: the commit the change is compared with; review and check-pr write the
# report to REPORT, its header naming the sides BASE_LABEL and HEAD_LABEL when given.
BASE ?= origin/main
REPORT ?= /dev/stdout
# What the targets install first; empty to use the tools already in BIN as they are
# (SETUP= BIN=/path/to/venv/bin), as the delivery pipeline's test does.
SETUP ?= setup

# The delivery targets (docs/delivery.md) act on one environment, ENV=NAME. The engine's DSN
# (DPM_POLICY_PACK_POSTGRES_DSN) and the GitOps repository (GITOPS_URL, with its credentials)
# are read from the environment by the shell, so neither is in a command line make prints.
GITOPS_BRANCH ?= main
export GITOPS_BRANCH
# A file the delivery targets also append their report to (CI: $GITHUB_STEP_SUMMARY).
SUMMARY ?= /dev/null
# rollback-compile: the commit to compile, which must be on MAIN_REF.
COMMIT ?=
MAIN_REF ?= origin/main

# $(call require,VARIABLE,what to set it to): stop with a message when VARIABLE is empty.
require = $(if $(strip $($(1))),,$(error $(1) is not set: $(2)))
# $(call in_summary,TITLE,COMMAND): run COMMAND, showing what it prints and appending it to
# SUMMARY as a titled text block; COMMAND's exit status is the recipe's.
in_summary = { printf '**%s**\n\n```text\n' '$(1)'; status=0; $(2) 2>&1 || status=$$?; \
	printf '```\n\n'; exit $$status; } | tee -a "$(SUMMARY)"
# review, rules, check-pr: GitHub's answers for the pull request and its reviews (gh api), both
# or neither; with them the required approvals are checked.
PULL_REQUEST ?=
REVIEWS ?=
APPROVALS = $(if $(REVIEWS),--pull-request "$(PULL_REQUEST)" --reviews "$(REVIEWS)")

.PHONY: setup setup-dev compile validate schema-check codeowners-check fmt-check review rules \
	check-change check-pr policy-tests lint test test-fast clean publish-plan publish-apply deliver \
	prune drift rollback-compile

## setup: create .venv with the tool and what it needs to run (no test or lint tools)
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml runtime/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./runtime -e '.[postgres]'
	touch $@

## setup-dev: setup, plus the test, lint and benchmark tools (the dev extra)
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ./runtime -e '.[dev]'
	touch $@

## compile: the main job: validate the repository's content and compile every environment into dist/
compile: $(SETUP)
	$(BIN)/dpm-policy validate --format $(FORMAT)
	$(BIN)/dpm-policy compile --format $(FORMAT) $(addprefix --env ,$(ENV))

## validate: every file against its model and the cross-file rules
validate: $(SETUP)
	$(BIN)/dpm-policy validate --format $(FORMAT)

## schema-check, codeowners-check, fmt-check: the generated and canonical files are current
schema-check: $(SETUP)
	$(BIN)/dpm-policy schema --check --format $(FORMAT)

codeowners-check: $(SETUP)
	$(BIN)/dpm-policy codeowners --check --format $(FORMAT)

fmt-check: $(SETUP)
	$(BIN)/dpm-policy fmt --check --format $(FORMAT)

## review: the pull-request report of the working tree against BASE, written to REPORT
review: $(SETUP)
	$(BIN)/dpm-policy diff --base "$(BASE)" --format markdown $(APPROVALS) \
		$(if $(BASE_LABEL),--base-label "$(BASE_LABEL)") \
		$(if $(HEAD_LABEL),--head-label "$(HEAD_LABEL)") > "$(REPORT)"

## rules: the change rules of the working tree against BASE
rules: $(SETUP)
	$(BIN)/dpm-policy diff --base "$(BASE)" --check --format $(FORMAT) $(APPROVALS)

## check-pr: the whole pull-request gate in one pass (validate, schemas, CODEOWNERS, formatting,
## policy tests, the change rules and approvals against BASE), the review report written to REPORT
check-pr: $(SETUP)
	$(BIN)/dpm-policy check --base "$(BASE)" --format $(FORMAT) --report "$(REPORT)" $(APPROVALS) \
		$(if $(BASE_LABEL),--base-label "$(BASE_LABEL)") \
		$(if $(HEAD_LABEL),--head-label "$(HEAD_LABEL)")

## lint: ruff (lint and layout), mypy (strict, on the package) and the generated-file checks
lint: setup-dev
	$(BIN)/ruff check tools runtime tests benchmarks docs
	$(BIN)/ruff format --check tools runtime tests benchmarks
	$(BIN)/mypy
	$(BIN)/dpm-policy schema --check

## policy-tests: the statements of intent in policy-tests/, on the compiled output
policy-tests: $(SETUP)
	$(BIN)/dpm-policy test --format $(FORMAT)

## check-change: before a push, the change rules and the approvals the change will need, against
## the upstream branch (the pre-push hook runs the same)
check-change: $(SETUP)
	$(BIN)/dpm-policy diff --check --base '@{upstream}' --head HEAD

## test: every gate, then the whole test suite
test: lint policy-tests
	$(BIN)/pytest

## test-fast: the suite without the slow tests
test-fast: setup-dev
	$(BIN)/pytest -m "not slow"

## publish-plan: what publish-apply would change in ENV's Postgres catalog (into SUMMARY too)
publish-plan: $(SETUP)
	$(call require,ENV,the environment to publish; ENV=NAME)
	$(call in_summary,publish --plan $(ENV),$(BIN)/dpm-policy publish --env "$(ENV)" --plan)

## publish-apply: upsert ENV's compiled catalog (and tenant rows) into Postgres; deletes nothing
publish-apply: $(SETUP)
	$(call require,ENV,the environment to publish; ENV=NAME)
	$(call in_summary,publish --apply $(ENV),$(BIN)/dpm-policy publish --env "$(ENV)" --apply)

## deliver: push dist/ENV/, the compiled bundle, to ENV/ on GITOPS_BRANCH of GITOPS_URL
deliver: $(SETUP)
	$(call require,ENV,the environment to deliver; ENV=NAME)
	$(call require,GITOPS_URL,the GitOps repository; export GITOPS_URL=URL)
	$(call in_summary,deliver $(ENV),$(BIN)/dpm-policy deliver --env "$(ENV)" \
		--to "$$GITOPS_URL" --branch "$$GITOPS_BRANCH")

## prune: delete ENV's rows the compiled output dropped, never one the delivered bundle names
prune: $(SETUP)
	$(call require,ENV,the environment to prune; ENV=NAME)
	$(call require,GITOPS_URL,the GitOps repository; export GITOPS_URL=URL)
	$(call in_summary,publish --apply --prune $(ENV),$(BIN)/dpm-policy publish --env "$(ENV)" \
		--apply --prune --delivered-to "$$GITOPS_URL" --branch "$$GITOPS_BRANCH")

## drift: compile ENV, then compare Postgres and the delivered bundle with it (exit 1 on a difference)
drift: compile
	$(call require,ENV,the environment to check; ENV=NAME)
	$(call require,GITOPS_URL,the GitOps repository; export GITOPS_URL=URL)
	status=0; \
	$(call in_summary,catalog drift $(ENV),$(BIN)/dpm-policy publish --env "$(ENV)" --check) \
		|| status=1; \
	$(call in_summary,bundle drift $(ENV),$(BIN)/dpm-policy deliver --env "$(ENV)" \
		--to "$$GITOPS_URL" --branch "$$GITOPS_BRANCH" --check) || status=1; \
	exit $$status

## rollback-compile: dist/ as COMMIT, a commit of MAIN_REF, compiled it with its own tool
rollback-compile:
	$(call require,COMMIT,the commit of $(MAIN_REF) to roll back to; COMMIT=SHA)
	git merge-base --is-ancestor "$(COMMIT)" "$(MAIN_REF)" || { echo "rollback: $(COMMIT)" \
		"is not a commit of $(MAIN_REF); roll back only to what main held" >&2; exit 1; }
	tree=$$(mktemp -d); trap 'git worktree remove --force "$$tree"' EXIT; \
	git worktree add --quiet --detach "$$tree" "$(COMMIT)"; \
	$(MAKE) --no-print-directory -C "$$tree" compile; \
	rm -rf dist; cp -R "$$tree/dist" dist

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
