# One-command entry points. Each target creates .venv and installs the project when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-fast lint bench app browser-deps clean-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dashboard]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m experiments.compare

# The test files run on TEST_WORKERS processes (pytest-xdist; each file stays on one worker, so the
# SLURM cluster, the dashboard's server and the kill tests are never run twice at once).
TEST_WORKERS ?= 2
test: $(STAMP) browser-deps lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# Style and types (pinned in the test extra): ruff on sim/, experiments/ and hydra_plugins/, mypy on sim/.
lint: $(STAMP)
	$(VENV)/bin/ruff check sim experiments hydra_plugins
	$(VENV)/bin/ruff format --check sim experiments hydra_plugins
	$(VENV)/bin/mypy sim

# The teaching dashboard on http://127.0.0.1:8765 (HOST=0.0.0.0 to show it to a room; PORT=...).
HOST ?= 127.0.0.1
PORT ?= 8765
app: $(STAMP)
	$(VENV)/bin/solara run sim/viz/app.py --host $(HOST) --port $(PORT) --production

# Chromium for the browser test, from the Debian packages (only when missing and apt-get exists).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium from the Debian packages (for tests/integration/test_dashboard_browser.py)"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	  else \
	    echo "warning: /usr/bin/chromium is missing and apt-get is not available: install Chromium" \
	         "or set CHROMIUM=/path/to/chromium for the browser test" >&2; \
	  fi; \
	fi

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	@rm -f $(VENV)/.bench-installed-*
	@touch $(BENCH_STAMP)

# Benchmarks against the peers (cynetdiff, NDlib, per-agent Mesa) and whole runs of 10^4..10^7
# customers; writes results/bench/{benchmark.json,table.md,summary.json,scaling.csv,scaling.png,
# phases.json,profile_full.txt}. BENCH_MAX_SIZE=1000000 leaves out the 10^7 run.
bench: $(BENCH_STAMP)
	@mkdir -p results/bench
	$(PY) -m pytest tests/benchmarks --benchmark-enable --benchmark-json=results/bench/benchmark.json -q -p no:cacheprovider
	$(PY) -m tests.benchmarks.profile_full results/bench
	$(PY) -m tests.benchmarks.report results/bench/benchmark.json results/bench

clean-venv:
	rm -rf $(VENV)
