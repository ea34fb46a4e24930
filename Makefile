# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STORE  ?= var/store

.PHONY: install install-test system-packages serve build test test-fast bench clean vendor-yasgui screenshots screenshots-graph screenshots-curation

# uv (from PyPI) makes and fills the virtual environment in seconds where python -m venv and
# pip take over a minute (scripts/venv-install: a system uv, else uv from PyPI). INSTALLER=pip
# uses pip alone; pip is also the fallback when uv cannot be had or fails.
INSTALLER ?= uv

$(VENV)/.installed: pyproject.toml
	@sh scripts/venv-install $(VENV) $(PYTHON) $(INSTALLER) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	@sh scripts/venv-install $(VENV) $(PYTHON) $(INSTALLER) -e ".[test,bench]"
	touch $@

# Chromium, fonts and Virtuoso from Debian's packages: installed as root, else make test stops
# at once with the command to run (never half the suite).
system-packages:
	@sh .ci/system-packages

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

test: system-packages install-test  ## every test, browser and remote-store tests included
	$(BIN)/python -m pytest -q

test-fast: install-test  ## the in-process tests only
	$(BIN)/python -m pytest -q -m "not browser and not remote and not slow"

bench: install-test  ## run every benchmark and write BENCHMARKS.md
	$(BIN)/python -m benchmarks.run

screenshots: install-test screenshots-graph  ## docs/screenshot-reader.png and build/screenshots/ (not part of make test)
	$(BIN)/python docs/screenshots.py

screenshots-graph: install-test  ## README screenshots of /graph, desktop and phone, into docs/ (not part of make test)
	$(BIN)/python -m tests.browser.screenshots

screenshots-curation: install-test  ## screenshots of the editing pages for the README (docs/curation/; not part of make test)
	$(BIN)/python -m tests.browser.curation_screenshots

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
