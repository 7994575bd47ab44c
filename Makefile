# Vigil — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint bench messages clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.run-installed

## run: install, migrate the SQLite database, create the demo province, serve on http://127.0.0.1:8000
run: $(VENV)/.run-installed
	$(BIN)/vigil migrate --noinput
	$(BIN)/vigil demo
	$(BIN)/vigil serve

## test: lint, type-check the pure core, and run the whole suite (installs Chromium when root)
test: $(VENV)/.dev-installed
	scripts/ensure-test-deps
	$(BIN)/ruff check vigil tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check vigil tests bench
	$(BIN)/ruff format --check vigil tests bench
	$(BIN)/mypy

## bench: every benchmark in bench/ (figures as `name: value unit` lines)
bench: $(VENV)/.dev-installed
	@for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

## messages: refresh the Vietnamese catalogue after changing user-visible text
messages: $(VENV)/.dev-installed
	$(BIN)/vigil makemessages -l vi --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/vigil compilemessages --ignore=.venv

clean-venv:
	rm -rf $(VENV)
