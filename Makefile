# The two commands of the README: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_WAIT_POLICY := PASSIVE
# The demo's executor: warm worker processes, one per core (at most 8), the torch threads divided
# between them; on these small models two one-thread workers do about twice the work of one
# two-thread process (docs/performance.md).
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 8 ? 8 : n )))
DEMO_RUN := --suite quick --executor local --workers $(WORKERS) --warm

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
	$(BIN)/unlearnbench run $(DEMO_RUN) --results results
	@# the shipped presets' tuning trials, for the site's frontier page (never in the main tables)
	@for trials in bench/presets/trials/*.json.gz; do $(BIN)/unlearnbench import $$trials --results results; done
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
	$(BIN)/python tests/benchmarks/demo_suite.py .bench/demo $(DEMO_RUN)
	$(BIN)/python tests/benchmarks/executor_scaling.py --json .bench/scaling.json --cache .bench/demo/cache
	$(BIN)/python tests/benchmarks/write_report.py .bench/micro.json .bench/demo .bench/scaling.json > .bench/BENCHMARKS.md
	mv .bench/BENCHMARKS.md BENCHMARKS.md
	@echo "wrote BENCHMARKS.md"

clean:
	rm -rf $(VENV) results .pytest_cache .bench
