# One-command entry points. Each target creates .venv and installs the project when missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-fast bench app clean-venv

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m experiments.compare

test: $(STAMP)
	$(PY) -m pytest -q

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
