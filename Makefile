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
	$(BIN)/pip install --quiet -c constraints-cpu.txt -e ".[dev,ray,slurm]"
	# animal_mnist's data; --no-deps: the wheel requires tensorflow, which only its loader code uses
	$(BIN)/pip install --quiet --no-deps "animal-mnist==0.4"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/unlearnbench run --suite quick --results results
	$(BIN)/unlearnbench leaderboard --results results --format md --out results/leaderboard.md
	$(BIN)/unlearnbench leaderboard --results results --format json --out results/leaderboard.json
	$(BIN)/unlearnbench leaderboard --results results --format html --out results/site
	@cat results/leaderboard.md
	@echo "Web leaderboard: $(CURDIR)/results/site/index.html (open it in a browser; no server needed)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	mkdir -p .bench
	$(BIN)/python -m pytest tests/benchmarks -o addopts="" --benchmark-only -q --benchmark-json=.bench/micro.json
	$(BIN)/python tests/benchmarks/time_ratio.py --json .bench/ratios.json
	$(BIN)/python tests/benchmarks/write_report.py .bench/micro.json .bench/ratios.json > .bench/BENCHMARKS.md
	mv .bench/BENCHMARKS.md BENCHMARKS.md
	@echo "wrote BENCHMARKS.md"

clean:
	rm -rf $(VENV) results .pytest_cache .bench
