# archivekit: `make` sets up and builds every edition; `make test` sets up and passes the tests.
# Every target is idempotent; CI runs `make test` (see .ci/run).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)
# Set-up and tests leave no process behind them: their commands run in their own processes, not in
# the resident build server an `archivekit` command starts otherwise (docs/server.md).
export ARCHIVEKIT_SERVER ?= off

.PHONY: all setup system build package validators judges validate test lint format clean fuzz

# `make` gives the editions `make test` gives: judged (the EPUB's claim rests on Ace and EPUBCheck),
# validated, packaged with their reports, verified.
all: package

# The archival package of every edition, with its validation reports, verified.
package: validate
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

# Our own modules compiled to bytecode, as a wheel install would: an editable install leaves that to
# the first import, which never writes it where PYTHONDONTWRITEBYTECODE is set (CI, containers), and
# every `archivekit` process then compiles ~50 modules again (60 ms of CPU a start). Incremental.
setup: system $(STAMP)
	@$(BIN)/python -m compileall -q src >/dev/null

# Judges first: the build asks them for the EPUB's claim, so a build made without them claims nothing.
build: setup judges
	$(BIN)/archivekit build

validators: setup
	@tools/validators/install.sh

# Like `validators`, but a judge that cannot be installed (no network, no Java) is named with the
# installer's reason and the build goes on without the claims it backs; `make test` insists.
judges: setup
	@tools/validators/install.sh || echo "make: a judge could not be installed (see the reason above);" \
	  "building without the claims it backs (no EPUB accessibility claim without Ace and EPUBCheck)" >&2

# `validate` reports every judge that did not run; `make test` (CI) fails on one.
validate: build
	$(BIN)/archivekit validate

test: validators build lint
	$(BIN)/archivekit validate --require-all
	$(BIN)/archivekit package
	$(BIN)/archivekit verify build/*.bag
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Peers (Typst, WeasyPrint) go into their own venv under the user cache, never into our lock.
# Its builds work in bench/work/, on the project's disk, where `make` and `watch` write theirs (the
# machine's /tmp can create a file 40 times slower: bench/README.md).
bench: setup
	@bench/install-peers.sh
	@mkdir -p bench/work
	TMPDIR=$(CURDIR)/bench/work $(BIN)/python bench/run.py $(BENCH_ARGS)

fuzz: setup
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q tests -k property

clean:
	rm -rf build
