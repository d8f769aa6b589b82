# MAX DP. `make serve` and `make test` work on a fresh machine: they create .venv and install.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install serve test lint bench docs clean designer screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/maxdp serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m bench

docs: $(STAMP)
	$(BIN)/maxdp nodes --docs

# The web designer (needs Node 20 + npm): node packages, the API client from the server's
# OpenAPI document, and the production build into max_dp_server/static/ (committed).
designer: $(STAMP)
	cd max_dp_designer && npm ci --no-audit --no-fund && npm run gen:api && npm run build

# Screenshots of the main screens into docs/images/ (a real server and Debian's Chromium).
screenshots: $(STAMP)
	$(BIN)/python -m tests.e2e.harness --screenshots docs/images

clean:
	rm -rf $(VENV) build dist *.egg-info
