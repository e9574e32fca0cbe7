# make run   : install, prepare data/, start the dashboard in demo mode (built-in 360Dialog sandbox)
# make test  : install everything (Debian chromium too) and run lint + the whole suite
#              (tests reading ../shared/d360 skip without it; D360_PAYLOADS, D360_SPEC say where)
# make bench : the benchmarks in bench/ (never part of make test)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: install install-dev run serve test lint chromium bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt $(RUNTIME_STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

run: install
	mkdir -p data
	$(PY) -m core migrate
	$(PY) -m core serve --demo --port $(PORT)

serve: install
	$(PY) -m core serve --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser journeys"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: install-dev chromium lint
	$(PY) -m pytest

bench: install-dev
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
