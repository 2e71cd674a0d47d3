# The two quick-start commands: `make demo` and `make test`. Both work on a fresh machine:
# they create .venv, install the project and the system packages it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= demo-output

.PHONY: install system-deps demo test lint

$(BIN)/recouvrement: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/recouvrement

system-deps:
	scripts/install-system-deps

demo: install system-deps
	$(BIN)/recouvrement demo --out $(OUT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint system-deps
	scripts/run-tests $(BIN)
	scripts/run-odoo-tests
