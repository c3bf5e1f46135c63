# Liaison — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test venv lint bench bench-data bench-mixed migrate demo scheduler node clean-db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Node packages used by the tests (Mozilla's ical.js, Thunderbird's calendar parser).
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests that need Node will be skipped"; fi

node: node_modules/.installed

migrate: venv
	@mkdir -p instance
	$(BIN)/flask db upgrade

run: venv migrate
	LIAISON_DEMO=1 $(BIN)/flask demo load --if-empty
	@LIAISON_DEMO=1 $(BIN)/python -m app.devserver

test: venv
	-@$(MAKE) --no-print-directory node
	$(BIN)/python -m pytest $(PYTEST_ARGS)

scheduler: venv migrate
	$(BIN)/flask scheduler run

lint: venv
	$(BIN)/ruff check app tests bench

bench: venv
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-data: venv
	$(BIN)/python -m bench.generate $(BENCH_ARGS)

# The mixed-traffic benchmark (bench/README.md, "Mixed traffic"), on an existing dataset: make bench-data first.
bench-mixed: venv
	$(BIN)/python -m bench.mixed $(BENCH_ARGS)

clean-db:
	rm -f instance/liaison.db instance/liaison.db-wal instance/liaison.db-shm
