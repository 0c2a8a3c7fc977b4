# FitConnect — the two commands are `make run` and `make test`; each sets itself up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python 3.11+ on PATH (the Lambda runtime is 3.13; 3.11 is the oldest we support locally).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
            && { command -v $$p; break; }; done)
VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
WEB_STAMP := web/node_modules/.installed-$(shell cksum < web/package-lock.json | cut -d' ' -f1)
# The browser tests' Chromium: Debian's package (Playwright drives it; it cannot download its own here).
CHROMIUM ?= /usr/bin/chromium
export PYTHONPATH := layers/shared:infra:.

.PHONY: help install web web-test web-deploy run test lint rehearse validate openapi fuzz bench bench-cold bench-iot bench-rush bench-coaching bench-pricing bench-imports query alarms dashboards cost build deploy secrets smoke clean simulate mutate

help:
	@echo "make run    start the local platform (API on http://127.0.0.1:3000, demo data)"
	@echo "make test   lint the code and the templates, rehearse the deploy, then run the whole test suite"
	@echo "make web    build the web client (web/dist; make run serves it at /app/)"
	@echo "make rehearse  the translated templates: resources per stack, triggers that reach their functions"
	@echo "make openapi  rebuild functions/platform/openapi.json from the code (a test fails when it drifts)"
	@echo "make fuzz   schemathesis against the local runtime with a bigger budget than make test's"
	@echo "make bench  cold start and warm latency per function (figures for the README)"
	@echo "make bench-cold  every function's cold init as a ratio to a bare boto3 handler"
	@echo "make bench-iot  telemetry ingestion: messages/s through broker, rule and function; calls per message"
	@echo "make bench-coaching  POST /me/activities and GET /me/insights: AWS calls, p50; a month vs a year of history"
	@echo "make bench-pricing  a booking covered by a pack credit next to a free one: AWS calls, p50"
	@echo "make bench-imports  a 500 MB Apple Health export through the parser: records/s, peak memory"
	@echo "make bench-rush  200 members book one 100-seat class at once: wall time, p50/p99, invariants"
	@echo "make mutate mutation testing of bookings, payments, tokens, telemetry, notifications (a budget each)"
	@echo "make cost   monthly AWS cost of a stated workload from the templates and make bench's measured calls"
	@echo "make query Q=fill_rate  an Athena named query run by DuckDB over make run's archive (no Q: list them)"
	@echo "make alarms / make dashboards  regenerate the per-function alarms / the dashboards from their definitions"
	@echo "make simulate  demo equipment telemetry to the local broker (with make run going)"
	@echo "make build  sam build (needs a python3.13 on PATH; no Docker)"
	@echo "make secrets STAGE=dev|prod  put the Stripe, Zoom and Strava credentials into a deployed stage's secrets"
	@echo "make strava-subscription STAGE=… URL=…  register the stage's Strava webhook (once)"
	@echo "make web-deploy STAGE=dev|prod  upload the web client to a deployed stage (after make deploy)"
	@echo "make smoke URL=https://…  health, register, login, profile, sessions, erase on a deployed stage"

$(STAMP): requirements.txt requirements-dev.txt layers/shared/requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "the web client needs Node.js 20.19+ and npm on PATH" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -f web/node_modules/.installed-* && touch $(WEB_STAMP)

# The web client: type-checked, built into web/dist.
web: $(WEB_STAMP)
	cd web && npm run --silent build

# Its unit tests (Vitest), and its API types still those of functions/platform/openapi.json.
web-test: $(WEB_STAMP)
	cd web && npx vitest run && npm run --silent check-types

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	 else echo "the browser tests need Chromium, once: sudo apt-get install -y chromium" >&2; exit 1; fi

run: $(STAMP) web
	exec $(BIN)/python -m fitconnect_local

TEMPLATES := template.yaml $(wildcard functions/*/template.yaml)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint $(TEMPLATES) $(wildcard tests/fixtures/*/template.yaml)

# What only the translated templates show (samtranslator, as sam deploy): see infra/fitconnect_local/rehearsal.py.
rehearse: $(STAMP)
	$(BIN)/python -m fitconnect_local.rehearsal template.yaml

# SAM CLI's own validation of every stack, offline (a region and dummy credentials are all it needs).
validate: $(SAM_VENV)/bin/sam
	printf '%s\n' $(TEMPLATES) | AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=validate \
	  AWS_SECRET_ACCESS_KEY=validate SAM_CLI_TELEMETRY=0 xargs -P 2 -I{} $(SAM_VENV)/bin/sam validate --lint -t {}

test: lint rehearse validate web-test web $(CHROMIUM)
	$(BIN)/python -m pytest

openapi: $(STAMP) $(WEB_STAMP)
	$(BIN)/python -m fitconnect_local.openapi
	cd web && npm run --silent types

# The suite's fuzzing (4 examples per operation and role) with a bigger budget; FUZZ_SEED to vary it.
FUZZ_EXAMPLES ?= 60
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/integration/test_fuzzing.py

alarms: $(STAMP)
	$(BIN)/python -m infra.deploy.function_alarms

dashboards: $(STAMP)
	$(BIN)/python -m infra.deploy.dashboards

query: $(STAMP)
	$(BIN)/python -m fitconnect_local.lake $(Q)

simulate: $(STAMP)
	$(BIN)/python -m simulator

bench: $(STAMP)
	$(BIN)/python -m bench

# Every function's cold init as a ratio to a bare boto3 handler (BENCH_COLD samples, default 5).
bench-cold: $(STAMP)
	BENCH_COLD_ONLY=1 $(BIN)/python -m bench

# Monthly AWS cost of a stated workload (COST_MEMBERS, COST_MACHINES, COST_REPORT_S, COST_BOOKINGS)
# from the templates, bench/measured.json (make bench) and bench/prices-us-east-1.json.
cost: $(STAMP)
	$(BIN)/python -m bench.cost

# A class opening rush: RUSH_MEMBERS (200) book one class of RUSH_CAPACITY (100) at once.
bench-rush: $(STAMP)
	$(BIN)/python -m bench.rush

bench-coaching: $(STAMP)
	$(BIN)/python -m bench.coaching

bench-pricing: $(STAMP)
	$(BIN)/python -m bench.pricing

bench-iot: $(STAMP)
	$(BIN)/python -m bench.iot

# BENCH_IMPORT_ZIP_MB sets the export's size (default 500): building it takes a few minutes too.
bench-imports: $(STAMP)
	$(BIN)/python -m bench.imports

# Mutation testing of the invariant-bearing modules (MUTATE=bookings|payments|..., MUTATE_BUDGET_S
# per module, default 1200): edits those files on disk while it runs. See bench/mutate.py.
mutate: $(STAMP)
	$(BIN)/python -m bench.mutate

# sam build without Docker: functions build with the local python3.13, the layer with pip's
# --platform wheels for Lambda (layers/shared/Makefile).
$(SAM_VENV)/bin/sam:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required on PATH" >&2; exit 1; }
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli==1.170.*"

build: $(SAM_VENV)/bin/sam
	@command -v python3.13 >/dev/null || { echo "sam build needs python3.13 on PATH (pyenv install 3.13)" >&2; exit 1; }
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} SAM_CLI_TELEMETRY=0 \
	  $(SAM_VENV)/bin/sam build --template-file template.yaml

deploy: build
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam deploy --guided

# Values from the environment (STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET, ZOOM_*, STRAVA_*) or a hidden prompt.
secrets: $(STAMP)
	@test -n "$(STAGE)" || { echo "usage: make secrets STAGE=dev|prod" >&2; exit 2; }
	STAGE=$(STAGE) $(BIN)/python -m deploy.stage_secrets

# Once per stage, after make secrets: Strava's push subscription for URL/webhooks/strava.
strava-subscription: $(STAMP)
	@test -n "$(STAGE)" -a -n "$(URL)" || { echo "usage: make strava-subscription STAGE=dev|prod URL=<ApiUrl>" >&2; exit 2; }
	STAGE=$(STAGE) URL="$(URL)" $(BIN)/python -m deploy.strava_subscription

# After a deploy: the built web client to the stage's bucket, config.json pointing at its API.
web-deploy: $(STAMP) web
	@test -n "$(STAGE)" || { echo "usage: make web-deploy STAGE=dev|prod" >&2; exit 2; }
	STAGE=$(STAGE) $(BIN)/python -m deploy.web_deploy

smoke: $(STAMP)
	@test -n "$(URL)" || { echo "usage: make smoke URL=https://<api id>.execute-api.<region>.amazonaws.com" >&2; exit 2; }
	$(BIN)/python -m deploy.smoke "$(URL)"

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache .local web/node_modules web/dist
