# The two commands of the quick start are `make run` and `make test`; the rest serve them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
# uv from the PATH, or a private copy installed from PyPI on first use.
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
PY := .venv/bin/python

.PHONY: help run test check lint format types pytest pytest-moved-clock browser-deps bench

help:
	@echo "make run    start the app with demo data (SQLite, embedded broker): http://127.0.0.1:8000/"
	@echo "make test   lint, type-check and run every test on PostgreSQL and Redis"
	@echo "make bench  time the pages at 1,000 and 10,000 members, and under load (docs/performance.md)"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

node_modules/.synced: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: .venv/.synced
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "  carecoop is starting at http://127.0.0.1:$${PORT:-8000}/  (web, Celery worker and beat; Ctrl+C stops all)"
	@echo
	@# honcho gives each process its own PORT (5000 unless told, then +100 each): the web app's is
	@# set here, and the worker, which writes the emails, is told the site's address outright.
	@# Ctrl+C is how it is meant to stop: honcho then ends with 130, which is not a failure here.
	export PORT=$${PORT:-8000}; export SITE_URL=$${SITE_URL:-http://127.0.0.1:$$PORT}; \
	.venv/bin/honcho -f Procfile.dev start || [ $$? -eq 130 ]

test: .venv/.synced node_modules/.synced lint types pytest

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

# Every module of the apps and the project package (pyproject's [tool.mypy] leaves out tests and migrations).
types: .venv/.synced
	.venv/bin/mypy members matching scheduling governance carecoop bench manage.py

pytest: .venv/.synced node_modules/.synced
	.venv/bin/pytest $(PYTEST_ARGS)

# The tests again with the clock a year ahead (tests/conftest.py): a test that fixes a date
# without freezing the clock, or works out "today" at import, fails here rather than next year.
# The browser journeys and the API's fuzzing (its dates are drawn at random, not from today)
# run once, in `make test`.
pytest-moved-clock: .venv/.synced
	TEST_CLOCK_SHIFT_DAYS=365 .venv/bin/pytest --ignore=tests/browser --ignore=tests/test_api_fuzz.py $(PYTEST_ARGS)

# Towns of 1,000 and 10,000 members (made once, in databases of their own, then reused), each page
# timed as whole requests, the busiest under load through gunicorn; the figures go to
# docs/performance.md and docs/performance.json. BENCH_ARGS passes options (python -m bench.run -h).
bench: .venv/.synced
	$(PY) -m bench.run $(BENCH_ARGS)

format: .venv/.synced
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
