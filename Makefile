# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_DB ?= data/demo.sqlite
# Two pytest-xdist workers (this project's machines have 2 cores): the suite in about half the time.
# Every test takes its own port, temporary database and Redis key prefix; PYTEST_ARGS='-n 0' runs it serially.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint format browser bench demo-data check-db clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

## Serve the dashboard on http://127.0.0.1:8050 (builds the demo database on first run).
run: $(VENV)/.installed
	$(VENV)/bin/csc-dashboard run --host 127.0.0.1 --port 8050

demo-data: $(VENV)/.installed
	$(VENV)/bin/csc-dashboard demo-data --out $(DEMO_DB) --children 5000 --seed 1

check-db: $(VENV)/.installed
	$(VENV)/bin/csc-dashboard check-db

## Install what the tests need (Debian's chromium and chromium-driver too), lint, then run the whole suite.
test: lint browser
	$(PY) -m pytest -q $(PYTEST_ARGS)

## Lint: ruff (rules and format, pyproject.toml [tool.ruff]) and mypy ([tool.mypy]); the tree must be clean.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## Apply ruff's safe fixes and its formatting to the whole tree.
format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "Browser tests need chromium and chromedriver: sudo apt-get install chromium chromium-driver" >&2; exit 1; fi

## Benchmarks (issue 9): demo databases at three sizes, results in benchmarks/RESULTS.md.
bench: $(VENV)/.installed
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) data/*.sqlite data/*.duckdb
