# smsbus: `make up` runs the stack, `make test` runs every test. Both install what is missing.
# The logic lives in the `smsbus` command (tools/cli); these targets only bootstrap uv and call it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen
MEMBERS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml tools/*/pyproject.toml)
PYTEST_ARGS ?=

.PHONY: help install up down status logs test test-unit lint format topics readme

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	python3 -m pip install --quiet --user 'uv>=0.9,<1'

.venv/.synced: $(UV) uv.lock pyproject.toml $(MEMBERS)
	$(UV) sync --frozen --all-packages
	@touch $@

install: .venv/.synced ## install uv and the workspace (Kafka jars and PostgreSQL come with `up`)

up: install ## start Kafka, PostgreSQL and every service; create topics; migrate
	$(RUN) smsbus stack up

down: install ## stop exactly what `make up` started
	$(RUN) smsbus stack down

status: install ## show what runs and whether it is ready
	$(RUN) smsbus stack status

logs: install ## show where the logs are
	$(RUN) smsbus stack logs

test: install ## run every test (unit, integration, e2e) against a real broker and database
	$(RUN) smsbus stack test -- $(PYTEST_ARGS)

test-unit: install ## the fast loop: tests that need no broker or database
	$(RUN) pytest -m "not integration and not e2e" $(PYTEST_ARGS)

lint: install ## ruff (check + format --check) and mypy (strict)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install ## apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

topics: install ## print the topic registry
	$(RUN) smsbus topics

readme: install ## regenerate README.md's topic table from the registry
	$(RUN) smsbus readme
