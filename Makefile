# Kursk Figures. `make help` lists the targets. Two commands set up a fresh machine:
# `make dashboard` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
PORT ?= 8866
VIEWERS ?= 20
# pre-heated kernels for the load test: sized to the burst, as docs/deploy.md recommends
POOL ?= $(VIEWERS)
# JupyterLab's port: 8888, or PORT when given on the command line (make lab PORT=9000)
LAB_PORT ?= $(if $(filter command line,$(origin PORT)),$(PORT),8888)
CHROMIUM ?= /usr/bin/chromium
AXE := tests/a11y/node_modules/axe-core/axe.min.js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

# The runtime environment: rebuilt when the lock file changes.
$(VENV)/.runtime: requirements.lock pyproject.toml | $(UV)
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Runtime plus what the tests need.
$(VENV)/.test: requirements-test.lock $(VENV)/.runtime
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-test.lock
	touch $@

## env: create .venv with the locked runtime packages (no-op when up to date)
env: $(VENV)/.runtime

## chromium: install Debian's Chromium when missing (browser tests, kaleido export)
chromium:
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $$($(CHROMIUM) --version 2>/dev/null)"; \
	else echo "installing Debian's chromium"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

## nginx: install Debian's nginx when missing (tests/test_deploy_docs.py runs docs/nginx/kursk.conf)
nginx:
	@if [ -x /usr/sbin/nginx ]; then echo "nginx: $$(/usr/sbin/nginx -v 2>&1)"; \
	else echo "installing Debian's nginx"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && { $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  nginx-light >/dev/null 2>&1 || $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  nginx >/dev/null; }; fi

## dashboard: serve the read-only dashboard with Voila on 127.0.0.1:$(PORT)
# Chromium draws the static snapshot of each chart that pages show before their kernel
# connects; without it the dashboard still works, pages just wait for the live charts.
# exec: make's SIGTERM reaches the server itself; --stop-with-parent: the server also ends
# when make is ended another way (SIGINT or SIGKILL to make alone).
dashboard: env
	@$(MAKE) --no-print-directory chromium || echo "no chromium: pages show the live charts only"
	exec $(BIN)/python -m kursk.serve --port $(PORT) --stop-with-parent

## lab: JupyterLab on 127.0.0.1:$(LAB_PORT), rooted at the repository, opening the explore notebook (works as root)
lab: env
	PYTHONWARNINGS=ignore::DeprecationWarning $(BIN)/jupyter lab --allow-root --ip=127.0.0.1 \
	  --port=$(LAB_PORT) --no-browser \
	  --ServerApp.root_dir="$(CURDIR)" notebooks/01-explore.ipynb

## test: set up everything the tests need and run every test
test: $(VENV)/.test chromium nginx $(AXE)
	$(BIN)/python -m pytest

# axe-core for the accessibility checks in the browser tests, from the npm registry (locked)
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --silent
	touch $@

## validate: check the curated figures in data/
validate: env
	$(BIN)/kursk validate

## briefing: regenerate every chart as PNG/SVG/PDF plus the static offline page
briefing: env chromium
	$(BIN)/kursk briefing

## publish: the citable data package (Frictionless, CSV, README, CITATION.cff) in build/package/
publish: env
	$(BIN)/kursk publish

## bench: every benchmark (loader, charts, dashboard, briefing, load test) to build/bench.json and docs/performance.md
bench: $(VENV)/.test chromium
	$(BIN)/python -m bench
	$(BIN)/python -m bench --readme

## gallery: every chart for the seed, realistic and synthetic data, with its layout check, on one page (build/gallery/index.html)
gallery: $(VENV)/.test chromium
	$(BIN)/python -m bench.gallery

## loadtest: $(VIEWERS) concurrent viewers (VIEWERS=) against a local dashboard server, pool of $(POOL) pre-heated kernels (POOL=)
loadtest: $(VENV)/.test chromium
	$(BIN)/python -m bench.loadtest --viewers $(VIEWERS) --pool $(POOL)

## chaos: abuse and fault cases against real servers on loopback (bounded, ~3 min), table to build/chaos.json
chaos: $(VENV)/.test chromium
	$(BIN)/python -m bench.chaos

## lint: ruff check and format check
lint: $(VENV)/.test
	$(BIN)/ruff check lib tests bench
	$(BIN)/ruff format --check lib tests bench

## lock: re-resolve requirements*.lock from pyproject.toml (keeps current pins)
lock: | $(UV)
	$(UV) pip compile pyproject.toml -q --python-version 3.11 -o requirements.lock
	$(UV) pip compile pyproject.toml --extra test -q --python-version 3.11 \
	  -c requirements.lock -o requirements-test.lock

## clean: remove build outputs (keeps .venv)
clean:
	rm -rf build .pytest_cache

## help: list the targets
help:
	@grep -hE '^## ' $(MAKEFILE_LIST) | sed -e 's/^## //' \
	  -e 's/\$$(PORT)/$(PORT)/g' -e 's/\$$(LAB_PORT)/$(LAB_PORT)/g' \
	  -e 's/\$$(VIEWERS)/$(VIEWERS)/g' -e 's/\$$(POOL)/$(POOL)/g' \
	  | awk -F': ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: env chromium nginx dashboard lab test validate briefing publish bench gallery loadtest chaos lint lock clean help
