# pengkom — `make run` serves the API on the embedded SQLite store; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint messages install bench bench-commands bench-reporting bench-reads bench-tools deploy-test clean

# (Re)create the virtual environment and install pengkom with its test tools whenever the
# project's dependency files change.
$(STAMP): pyproject.toml Makefile tests/plugins/pengkom_magang/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pengkom needs Python >= 3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	# The third-party pathway plugin the test suite installs (entry point pengkom.pathways: magang).
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e tests/plugins/pengkom_magang
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/pengkom serve --host $(HOST) --port $(PORT)

# The whole suite in TEST_WORKERS pytest-xdist processes (each test has its own PostgreSQL schema or SQLite
# directory); TEST_WORKERS=0 runs it in this process. A bare `pytest` (e.g. `pytest -m faults -s`) runs serially.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The message catalogue (core/i18n.py): add new message ids to core/locale/id/LC_MESSAGES/pengkom.po and compile the
# .mo; translate the new (empty) msgstr entries in the .po, then run it again. tests/core/test_translations.py checks it.
messages: $(STAMP)
	$(PY) -m core.i18n_tools

# ruff and mypy over the whole tree (also run by the suite: tests/test_lint.py).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# Every benchmark in one go, on the local PostgreSQL (PENGKOM_BENCH_DATABASE_URL, default the `test` database) and
# SQLite; each writes its figures to var/bench-results/ and bench/summary.py prints one table of the targets last.
# EVENTS=100000 for a quick rebuild run; the generated log is kept in schema pengkom_bench and reused.
BENCH_OUT := var/bench-results
bench: $(STAMP) bench-tools
	@mkdir -p $(BENCH_OUT)
	$(PY) bench/rebuild.py --events $(or $(EVENTS),1000000) --json $(BENCH_OUT)/rebuild.json
	$(PY) bench/commands.py --seconds $(or $(BENCH_SECONDS),10) --json $(BENCH_OUT)/commands.json
	$(PY) bench/reporting.py
	$(PY) bench/reads.py --seconds $(or $(BENCH_SECONDS),10) --json $(BENCH_OUT)/reads.json
	$(PY) bench/plan_rows.py --json $(BENCH_OUT)/plan_rows.json
	$(PY) bench/summary.py $(BENCH_OUT)

# National reporting alone: bulk import vs the event store's batched save, exports at 500 agencies x 10 officers.
bench-reporting: $(STAMP)
	$(PY) bench/reporting.py

# Reads at 50 concurrent readers beside a minimal Litestar + asyncpg app serving the same rows; needs wrk.
bench-reads: $(STAMP) bench-tools
	$(PY) bench/reads.py --seconds $(or $(BENCH_SECONDS),10)

# The HTTP benchmarks drive the server with wrk: installed from Debian when missing and this is root.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "the read benchmark needs wrk: apt-get install wrk" >&2; exit 1; }

# Command throughput through the real server (POST /officers/, 1 and 16 clients, 1 and 2 API processes)
# beside the event store's own save rate, on PostgreSQL and SQLite; uses wrk when installed.
bench-commands: $(STAMP)
	$(PY) bench/commands.py --seconds $(or $(BENCH_SECONDS),10)

# The deployment test: builds the images, starts the compose stack (PostgreSQL, two API replicas, the
# worker), breaks it and checks it (README, Deployment). Needs a running Docker engine; not part of `make test`.
deploy-test: $(STAMP)
	$(PY) docker/deploy_test.py

clean:
	rm -rf $(VENV) var
