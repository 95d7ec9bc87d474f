"""Speed benchmarks (pytest-benchmark), skipped in `make test`; `make bench` runs them and
writes their figures into BENCHMARKS.md.

They time the hot paths of a benchmark cell at the embedded tasks' default (demo) sizes, so a
change can be compared before/after on the same machine: the Recall@K core on a 5,000 x 5,000
gallery, a training step of each task's model, and each cheap attack on one cell. Weights do
not change the cost of these passes, so the models are freshly initialised, not trained.
"""

import copy
from functools import lru_cache

import pytest
import torch

from bench import ForgetSpec
from bench.attack import AttackContext
from bench.registry import ATTACKS, TASKS
from bench.task import DATA_DIR
from tasks.metrics.retrieval import recall_at_k

CHEAP_ATTACKS = ("df_dr_auc", "mia_loss", "mia_svc", "retention", "relearn")  # the demo's


def test_recall_at_k_5000(benchmark):
    sim = torch.randn(5000, 5000, generator=torch.Generator().manual_seed(0))
    benchmark.pedantic(recall_at_k, args=(sim,), rounds=3, warmup_rounds=1)


@lru_cache(maxsize=None)
def _prepared(name, cache_dir):
    if DATA_DIR in TASKS.get(name).param_names():
        pytest.skip(f"{name} reads its data from the user's disk; there is none at default size here")
    task = TASKS.get(name)()  # default (demo) sizes: what a cell really runs
    task.prepare(cache_dir)
    splits = task.splits(0, ForgetSpec())
    return task, splits, task.recipe(0).initial_model()


@pytest.mark.parametrize("name", TASKS.names())
def test_training_step_at_default_size(benchmark, name, cache_dir):
    task, splits, model = _prepared(name, cache_dir)
    model = copy.deepcopy(model).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    batch = next(iter(task.loader(splits.train, shuffle=True, seed=0)))

    def step():
        loss = model.loss(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    benchmark.pedantic(step, rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("attack", CHEAP_ATTACKS)
@pytest.mark.parametrize("name", TASKS.names())
def test_attack_per_cell(benchmark, name, attack, cache_dir):
    task, splits, original = _prepared(name, cache_dir)
    unlearned = copy.deepcopy(original)
    context = AttackContext(task, splits, torch.device("cpu"), seed=0, reference=original)
    runner = ATTACKS.get(attack)()
    benchmark.pedantic(runner.run, args=(original, unlearned, splits, context), rounds=2, warmup_rounds=0)
