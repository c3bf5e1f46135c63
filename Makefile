# Liaison — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi
# The suite runs on every core (pytest-xdist; each worker has its own SQLite file or PostgreSQL
# database). `make test PYTEST_ARGS="-n 0 tests/events"` runs a part of it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test venv lint bench bench-data bench-mixed migrate demo scheduler node clean-db translations i18n-extract i18n-update i18n-compile i18n-check

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# Translations (app/translations; README "Languages"). The .mo files are built here, never committed.
LOCALES := en uk ro ka mk sr sr_Latn
BABEL_KEYWORDS := -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 -k ngettext:1,2 -k _n:1,2
translations: venv
	@$(BIN)/python -m tools.i18n compile

i18n-compile: translations

i18n-extract: venv
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
		--add-comments=Translators: --project=Liaison --copyright-holder="Liaison" \
		-o app/translations/messages.pot .

i18n-update: i18n-extract
	@for locale in $(LOCALES); do \
		test -f app/translations/$$locale/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel -q init -i app/translations/messages.pot -d app/translations -l $$locale; \
	done
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete --width=100
	$(BIN)/python -m tools.i18n fill-en
	$(BIN)/python -m tools.i18n stats

i18n-check: venv
	$(BIN)/python -m tools.i18n check

# Node packages used by the tests (Mozilla's ical.js, Thunderbird's calendar parser).
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: tests that need Node will be skipped"; fi

node: node_modules/.installed

migrate: venv
	@mkdir -p instance
	$(BIN)/flask db upgrade

run: venv translations migrate
	LIAISON_DEMO=1 $(BIN)/flask demo load --if-empty
	@LIAISON_DEMO=1 $(BIN)/python -m app.devserver

test: venv translations
	-@$(MAKE) --no-print-directory node
	$(BIN)/python -m pytest $(PYTEST_ARGS)

scheduler: venv translations migrate
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
