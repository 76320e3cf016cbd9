# smsbus: `make up` runs the stack, `make test` runs every test. Both install what is missing.
# The logic lives in the `smsbus` command (tools/cli); these targets only bootstrap uv and call it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv: the one on PATH, else ~/.local/bin/uv, installed there from its wheel on PyPI with the system's
# python3 alone (`pip install --user` is refused by an externally managed Python, such as Debian's).
UV_BIN := $(HOME)/.local/bin
UV := $(shell command -v uv 2>/dev/null || echo $(UV_BIN)/uv)
RUN := $(UV) run --frozen
MEMBERS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml tools/*/pyproject.toml examples/*/pyproject.toml)
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`, a whole file to one worker (0: one process). Each test has
# its own topics, schema and ports, and most of a test's time is waiting on the broker or on
# processes it started, so two workers halve the suite even on two cores.
TEST_WORKERS ?= 2

.PHONY: help install up down status logs test test-unit coverage lint format topics readme asyncapi env-example walkthrough check-monitoring

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	python3 tools/cli/src/smsbus/cli/uv_bootstrap.py --dest $(UV_BIN)

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
	$(RUN) smsbus stack test -- -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-unit: install ## the fast loop: tests that need no broker or database
	$(RUN) pytest -m "not integration and not e2e" $(PYTEST_ARGS)

coverage: install ## every test but the e2e ones under coverage; each member's line+branch total
	$(RUN) smsbus stack test -- -m "not e2e" -q --cov --cov-report= $(PYTEST_ARGS)
	@for member in libs/*/ services/*/ tools/*/; do \
	  printf '%-28s %s%%\n' "$$member" "$$($(RUN) coverage report --include="$$PWD/$$member*" --format=total 2>/dev/null || echo -)"; \
	done

lint: install ## ruff (check + format --check), mypy (strict), the import contracts, declared dependencies
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports
	$(RUN) python -m smsbus.cli.dependencies

check-monitoring: ## promtool: Prometheus' config, rules, rule tests; amtool: Alertmanager's config
	@tools=$$(deploy/monitoring-tools) && set -x && \
	  "$$tools/promtool" check config deploy/prometheus/prometheus.yml && \
	  "$$tools/promtool" check rules deploy/prometheus/rules/*.yml && \
	  "$$tools/promtool" test rules deploy/prometheus/tests/*.yml && \
	  "$$tools/amtool" check-config deploy/alertmanager/alertmanager.yml

format: install ## apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

topics: install ## print the topic registry
	$(RUN) smsbus topics

readme: install ## regenerate README.md's topic table from the registry
	$(RUN) smsbus readme

env-example: install ## regenerate .env.example and the READMEs' settings tables from the settings classes
	$(RUN) python -m smsbus.cli.configuration

walkthrough: ## on a fresh clone: make up, every runnable README command in order, make down
	.ci/walkthrough

ASYNCAPI_VALIDATOR := docs/asyncapi-validator

$(ASYNCAPI_VALIDATOR)/node_modules/.installed: $(ASYNCAPI_VALIDATOR)/package-lock.json
	@command -v npm >/dev/null || { echo "make asyncapi needs Node.js 20+ and npm (e.g. apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix $(ASYNCAPI_VALIDATOR) --ignore-scripts --no-audit --no-fund
	@touch $@

asyncapi: install $(ASYNCAPI_VALIDATOR)/node_modules/.installed ## docs/asyncapi.json current, and valid by the AsyncAPI parser (each service's too)
	$(RUN) python -m smsbus.contracts.asyncapi --check
	@parts=$$(mktemp -d) && trap 'rm -rf "$$parts"' EXIT && \
	$(RUN) python -m smsbus.contracts.asyncapi --services "$$parts" && \
	node $(ASYNCAPI_VALIDATOR)/validate.mjs docs/asyncapi.json "$$parts"/*.json
