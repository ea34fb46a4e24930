# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STORE  ?= var/store

.PHONY: install install-test serve build test test-fast bench clean vendor-yasgui screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed  ## create .venv and install the package

# axe-core (accessibility checks in the browser tests) from the npm registry, git-ignored.
AXE_VERSION ?= 4.10.3
AXE := build/axe/node_modules/axe-core/axe.min.js
$(AXE):
	mkdir -p build/axe && npm install --silent --no-audit --no-fund --prefix build/axe axe-core@$(AXE_VERSION)

install-test: $(VENV)/.installed-test $(AXE)

build: install  ## (re)build the graph into the embedded store
	$(BIN)/zdg build --store $(STORE)

serve: install  ## build if needed and serve on http://$(HOST):$(PORT)
	$(BIN)/zdg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install-test  ## every test, browser and remote-store tests included
	$(BIN)/python -m pytest -q

test-fast: install-test  ## the in-process tests only
	$(BIN)/python -m pytest -q -m "not browser and not remote and not slow"

screenshots: install-test  ## rewrite the README's screenshots (docs/*.png): /graph, the reader, build/screenshots/
	$(BIN)/python -m tests.browser.screenshots
	$(BIN)/python docs/screenshots.py

bench: install-test  ## run every benchmark and write BENCHMARKS.md
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var build dist *.egg-info

# The query page's YASGUI is committed under api/static/yasgui (no npm needed to install).
# Refresh it from the npm registry with: make vendor-yasgui [YASGUI_VERSION=4.6.2]
YASGUI_VERSION ?= 4.6.2
vendor-yasgui:
	rm -rf build/yasgui && mkdir -p build/yasgui
	cd build/yasgui && npm pack --silent @zazuko/yasgui@$(YASGUI_VERSION) && tar xzf zazuko-yasgui-$(YASGUI_VERSION).tgz
	cp build/yasgui/package/build/yasgui.min.js build/yasgui/package/build/yasgui.min.css api/static/yasgui/
	sed -i '/sourceMappingURL=/d' api/static/yasgui/yasgui.min.js
	! grep -E -l 'cdn\.jsdelivr|unpkg\.com|cdnjs' api/static/yasgui/yasgui.min.js api/static/yasgui/yasgui.min.css
