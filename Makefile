# The two commands of the README: `make serve` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM ?= npm
# npm writes this file at the end of a successful install.
WEB_STAMP := web/node_modules/.package-lock.json

.PHONY: serve test install web schema lint clean

serve: $(STAMP) web
	$(BIN)/switchboard serve $(ARGS)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Switchboard needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# GraphiQL's browser files (web/node_modules), which the server serves itself so GraphiQL works
# with no internet. Optional: without them (no npm, or the registry unreachable) `serve` still
# works and the GraphiQL page loads the same pinned files from a CDN.
web: $(WEB_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	@if ! command -v $(NPM) >/dev/null 2>&1; then \
		echo "npm not found: GraphiQL will load its files from a CDN (needs internet). For offline GraphiQL install Node.js and npm, then run 'make web'."; \
	elif $(NPM) ci --prefix web --no-audit --no-fund --loglevel=error; then \
		touch $@; \
	else \
		echo "'npm ci --prefix web' failed: GraphiQL will load its files from a CDN (needs internet). Run 'make web' again once the npm registry is reachable."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

schema: $(STAMP)
	$(BIN)/switchboard export-schema > schema.graphql

clean:
	rm -rf $(VENV) web/node_modules switchboard.db switchboard.db-* switchboard.db.secret-key
