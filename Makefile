# archivekit: `make` sets up and builds every edition; `make test` sets up and passes the tests.
# Every target is idempotent; CI runs `make test` (see .ci/run).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)

.PHONY: all setup system build package validators validate test lint format clean fuzz

all: package

# The archival package of every edition, verified (validation reports go in when `make test` ran).
package: build
	$(BIN)/archivekit package
	$(BIN)/archivekit verify build/*.bag

system:
	@tools/install-system.sh

# The venv is rebuilt only when pyproject.toml or the lock change.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	@$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

setup: system $(STAMP)

build: setup
	$(BIN)/archivekit build

validators: setup
	@tools/validators/install.sh

validate: build validators
	$(BIN)/archivekit validate --require-all

test: validators build lint
	$(BIN)/archivekit validate --require-all
	$(BIN)/archivekit package
	$(BIN)/archivekit verify build/*.bag
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: setup
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Peers (Typst, WeasyPrint) go into their own venv under the user cache, never into our lock.
bench: setup
	@bench/install-peers.sh
	$(BIN)/python bench/run.py $(BENCH_ARGS)

fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests -k property

clean:
	rm -rf build
