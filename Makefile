# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LINTER := tools/cypher-lint/node_modules/.package-lock.json
JSONLD := tools/jsonld-check/node_modules/.package-lock.json
ASSETS := tools/explorer-assets/node_modules/.package-lock.json
DOCS_ASSETS := tools/docs-assets/node_modules/.package-lock.json
CHROMIUM ?= /usr/bin/chromium
DATA   := data

.DEFAULT_GOAL := help
.PHONY: help install run serve load stop test test-neo4j unit fmt lint check clean rapper roqet jena chromium wrk bench explorer-assets docs-assets

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(LINTER): tools/cypher-lint/package-lock.json
	npm ci --prefix tools/cypher-lint --no-audit --no-fund --loglevel=error
	touch $(LINTER)

$(JSONLD): tools/jsonld-check/package-lock.json
	npm ci --prefix tools/jsonld-check --no-audit --no-fund --loglevel=error
	touch $(JSONLD)

$(ASSETS): tools/explorer-assets/package-lock.json
	npm ci --prefix tools/explorer-assets --no-audit --no-fund --loglevel=error
	touch $(ASSETS)

# The explorer's one library, Cytoscape.js, is vendored as npm builds it (committed, so serving
# needs no npm); a test checks the committed file is byte for byte the locked version's.
explorer-assets: $(ASSETS) ## Vendor Cytoscape.js from tools/explorer-assets into api/explorer/static/vendor
	cp tools/explorer-assets/node_modules/cytoscape/dist/cytoscape.esm.min.mjs api/explorer/static/vendor/cytoscape.esm.min.js
	cp tools/explorer-assets/node_modules/cytoscape/LICENSE api/explorer/static/vendor/cytoscape.LICENSE

$(DOCS_ASSETS): tools/docs-assets/package-lock.json
	npm ci --prefix tools/docs-assets --no-audit --no-fund --loglevel=error
	touch $(DOCS_ASSETS)

# Swagger UI for /docs, vendored the same way (FastAPI's default page loads it from a CDN).
docs-assets: $(DOCS_ASSETS) ## Vendor Swagger UI from tools/docs-assets into api/static/docs
	cp tools/docs-assets/node_modules/swagger-ui-dist/swagger-ui-bundle.js api/static/docs/
	cp tools/docs-assets/node_modules/swagger-ui-dist/swagger-ui.css api/static/docs/
	cp tools/docs-assets/node_modules/swagger-ui-dist/LICENSE api/static/docs/swagger-ui.LICENSE
	cp tools/docs-assets/node_modules/swagger-ui-dist/NOTICE api/static/docs/swagger-ui.NOTICE

# Debian's Chromium runs the explorer's browser tests (driven by Playwright, no browser download).
chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && apt-get install -y -qq chromium)

# rapper (Debian's raptor2-utils) is an RDF parser we did not write; the tests run it.
rapper:
	@command -v rapper >/dev/null || (apt-get update -qq && apt-get install -y -qq raptor2-utils)

install: $(STAMP) ## Create the virtual environment and install the project

run: $(STAMP) ## Start the embedded graph, load the bundled data, serve on :8000 (Ctrl-C stops both)
	$(BIN)/connects serve --load $(DATA)

load: $(STAMP) ## Load the bundled data into the graph
	$(BIN)/connects load $(DATA)

stop: $(STAMP) ## Stop the embedded graph engine
	$(BIN)/connects db stop

fmt: $(STAMP) ## Format the code and sort imports (ruff)
	$(BIN)/ruff check --fix --select I .
	$(BIN)/ruff format .

unit: $(STAMP) $(LINTER) ## Fast tests that need no graph engine, browser or apt installs
	$(BIN)/pytest tests/unit -q

lint: $(STAMP) ## ruff and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Apache Jena's riot and shacl (Debian's libapache-jena-java, run by tools/jena/jena) read every
# dump format and run our shapes; Maven Central is not among the registries CI reaches.
jena:
	@test -e /usr/share/java/jena-cmds.jar || (apt-get update -qq && apt-get install -y -qq libapache-jena-java)

# roqet (Debian's rasqal-utils) is a SPARQL client we did not write; the tests point it at /sparql.
roqet:
	@command -v roqet >/dev/null || (apt-get update -qq && apt-get install -y -qq rasqal-utils)

# One pytest process per core (at most 4; each starts its own engine, 1 GB of heap), a test
# module's tests all in one of them, as its module-scoped data expects. TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
test: $(STAMP) $(LINTER) $(JSONLD) $(ASSETS) $(DOCS_ASSETS) rapper roqet jena chromium lint ## Install what the tests need, lint, and run every test
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

# The integration suite again, on Neo4j 5.26 in Docker (skipped, saying why, without Docker).
test-neo4j: $(STAMP) $(LINTER) $(JSONLD) $(ASSETS) rapper roqet jena chromium ## Run the integration tests on Neo4j 5.26 (needs Docker)
	$(BIN)/pytest --engine neo4j tests/integration tests/neo4j

# wrk (Debian) drives the API from a second process for the throughput figures.
wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

# BENCH_ARGS passes options on, e.g. BENCH_ARGS="--sizes S,M" or "--ports 17761-17779".
bench: $(STAMP) wrk ## Issue 16's targets at 10k and 100k case studies, against a SQLite floor -> docs/benchmarks.md (20-37 min)
	$(BIN)/python -m bench.suite $(BENCH_ARGS)

clean: ## Remove the virtual environment and the embedded graph's data
	-$(BIN)/connects db stop
	rm -rf $(VENV) .connects tools/cypher-lint/node_modules tools/jsonld-check/node_modules \
		tools/explorer-assets/node_modules tools/docs-assets/node_modules tools/jena/lib test-artifacts
