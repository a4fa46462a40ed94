# Entry points. `make run` and `make test` are the two a newcomer needs (README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
INFRA := deploy/local/infra.sh

.PHONY: help setup run infra infra-down test test-unit fuzz bench chaos screenshots images check lint format typecheck schemas asyncapi catalog-doc clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: ## create .venv with every service and the dev tools (installs uv if missing)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --locked --quiet

run: setup ## the whole mesh on the embedded default (SQLite + embedded bus); Ctrl-C stops it
	@$(UV) run --no-sync python deploy/local/run_mesh.py

infra: ## start the real PostgreSQL (durable) and Kafka: for a run on them, and the benchmarks
	@$(INFRA) up

infra-down: ## stop them
	@$(INFRA) down

# The tests' data is thrown away: their PostgreSQL may skip fsync (deploy/README.md).
test: export JRP_PG_DURABLE = 0
test: setup check infra ## lint, types, and every test layer against real PostgreSQL and Kafka
	@deploy/local/tools.sh chromium chromedriver promtool
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync pytest

test-unit: setup ## the fast layer only (no servers needed)
	@deploy/local/tools.sh promtool
	@$(UV) run --no-sync pytest -m "not integration"

FUZZ_EXAMPLES ?= 100
fuzz: export JRP_PG_DURABLE = 0
fuzz: setup infra ## schemathesis over the four services (FUZZ_EXAMPLES cases per operation and phase); figures for docs/security.md
	@eval "$$($(INFRA) env)" && JRP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(UV) run --no-sync pytest tests/test_fuzz_openapi.py -s -q -p no:randomly $(FUZZ_ARGS)

bench: setup infra ## benchmarks on this machine (not tests); figures into docs/benchmarks.md
	@deploy/local/tools.sh wrk
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.checks $(BENCH_CHECKS_ARGS)
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.loop --enforcement-replicas 1 --out var/bench/loop.json $(BENCH_LOOP_ARGS)
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.loop --enforcement-replicas 2 --out var/bench/loop-2.json $(BENCH_LOOP_ARGS)
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.objections --rate 50 --entries 1500 $(BENCH_OBJECTIONS_ARGS)
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.objections --rate 20 --entries 600 --out var/bench/objections-20.json $(BENCH_OBJECTIONS_ARGS)
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.onboarding $(BENCH_ONBOARDING_ARGS)
	@$(UV) run --no-sync python -m bench.report

screenshots: export JRP_PG_DURABLE = 0
screenshots: setup infra ## the console's browser tests, saving docs/console/*.png (headless Chromium)
	@deploy/local/tools.sh chromium chromedriver
	@eval "$$($(INFRA) env)" && JRP_CONSOLE_SCREENSHOTS=1 $(UV) run --no-sync pytest tests/test_console_browser.py tests/test_console_work_browser.py -q -p no:randomly

images: ## build and check the five images with buildah (as root on Debian; deploy/README.md, "Images")
	@deploy/local/build-images.sh $(IMAGES)

chaos: setup infra ## fault runs under load (crash PostgreSQL, kill each service, kill Kafka); figures into docs/reliability.md
	@eval "$$($(INFRA) env)" && $(UV) run --no-sync python -m bench.chaos $(CHAOS_ARGS)

check: lint typecheck ## ruff and mypy --strict

lint:
	@$(UV) run --no-sync ruff check .
	@$(UV) run --no-sync ruff format --check .

format: ## apply ruff's fixes and formatting
	@$(UV) run --no-sync ruff check --fix .
	@$(UV) run --no-sync ruff format .

typecheck:
	@$(UV) run --no-sync mypy shared/src services/registry/src services/trigger/src services/enforcement/src services/appeals/src services/console/src
	@$(UV) run --no-sync mypy shared/tests services/registry/tests services/trigger/tests services/enforcement/tests services/appeals/tests services/console/tests tests bench

schemas: setup ## regenerate the events' JSON Schemas into docs/schemas
	@$(UV) run --no-sync python -m jrp_shared.events.schemas docs/schemas

asyncapi: setup ## regenerate docs/asyncapi.yaml (AsyncAPI 3: every topic, message, header, schema)
	@$(UV) run --no-sync python -m jrp_shared.events.asyncapi docs/asyncapi.yaml

catalog-doc: setup ## regenerate docs/catalog.md from the catalog data files
	@$(UV) run --no-sync jrp-registry catalog-doc --out docs/catalog.md

clean: ## remove local state (databases, bus, logs, credentials); keeps caches
	rm -rf var
