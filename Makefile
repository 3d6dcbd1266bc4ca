# The two commands of the README: `make serve` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM ?= npm
# npm writes this file at the end of a successful install.
WEB_STAMP := web/node_modules/.package-lock.json

# The exact tested versions, with their hashes: every install takes these, on every machine.
LOCK := requirements.lock
# uv resolves the lock (`make lock`); it is needed only to change the lock, never to install.
UV_VERSION := 0.13.9
UPGRADE_VENV := .venv-upgrade

.PHONY: serve test install web schema lint clean lock upgrade-check mutation

serve: $(STAMP) web
	$(BIN)/switchboard serve $(ARGS)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit("Switchboard needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $(STAMP)

# Resolve the lock again after a change to pyproject.toml's dependencies, for every platform and
# Python 3.11 and newer. Locked versions stay unless LOCK_ARGS says otherwise: `--upgrade` (all
# to the newest allowed) or `--upgrade-package NAME`.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet 'uv==$(UV_VERSION)'
	.venv-lock/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --generate-hashes --quiet $(LOCK_ARGS) -o $(LOCK)

# The newest releases that pyproject.toml allows, the lock aside, in a venv of their own: the
# versions that differ from the lock, then the tests of what builds on library internals (the
# executor against stock graphql-core, the GraphQL-over-HTTP and statement-count suites).
upgrade-check:
	rm -rf $(UPGRADE_VENV)
	$(PYTHON) -m venv $(UPGRADE_VENV)
	$(UPGRADE_VENV)/bin/pip install --quiet --upgrade -e '.[test]'
	@grep -oE '^[A-Za-z0-9_.-]+==[^ ;]+' $(LOCK) | tr 'A-Z_' 'a-z-' | sort > $(UPGRADE_VENV)/locked.txt
	@$(UPGRADE_VENV)/bin/pip list --format=freeze --exclude-editable | tr 'A-Z_' 'a-z-' | sort > $(UPGRADE_VENV)/newest.txt
	@echo "== newer than $(LOCK):"; comm -13 $(UPGRADE_VENV)/locked.txt $(UPGRADE_VENV)/newest.txt | grep -v -E '^(pip|setuptools)==' || true
	$(UPGRADE_VENV)/bin/pytest -q -p no:cacheprovider tests/unit tests/integration/test_graphql_over_http.py \
		tests/integration/test_query_counts.py tests/integration/test_bulk_reads.py $(PYTEST_ARGS)

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

# Mutation testing of the domain rules and security checks against tests/unit, with the score of
# each file (tests/mutation/run.py). MUTATION_ARGS: e.g. `providers/url_guard.py` for one file.
mutation: $(STAMP)
	$(BIN)/python tests/mutation/run.py $(MUTATION_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

schema: $(STAMP)
	$(BIN)/switchboard export-schema > schema.graphql

clean:
	rm -rf $(VENV) $(UPGRADE_VENV) .venv-lock .mutation web/node_modules switchboard.db switchboard.db-* switchboard.db.secret-key
