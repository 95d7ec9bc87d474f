# The two commands of the README: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_WAIT_POLICY := PASSIVE

.PHONY: demo test bench install clean

$(STAMP): pyproject.toml constraints-cpu.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints-cpu.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/unlearnbench run --suite quick --results results
	$(BIN)/unlearnbench leaderboard --results results --format md --out results/leaderboard.md
	$(BIN)/unlearnbench leaderboard --results results --format json --out results/leaderboard.json
	@cat results/leaderboard.md

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -o addopts="" --benchmark-only -q
	$(BIN)/python tests/benchmarks/time_ratio.py

clean:
	rm -rf $(VENV) results .pytest_cache
