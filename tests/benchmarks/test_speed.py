"""Speed benchmarks (pytest-benchmark), skipped in `make test`; run with `make bench`.

They time the hot paths of a benchmark cell so a change can be compared before/after on the
same machine: a training step of each task's model and the Recall@K core.
"""

import pytest
import torch

from bench import ForgetSpec
from bench.registry import TASKS
from tasks.metrics.retrieval import recall_at_k


def test_recall_at_k_1000(benchmark):
    sim = torch.randn(1000, 1000)
    benchmark(recall_at_k, sim)


@pytest.mark.parametrize("name", TASKS.names())
def test_training_step_at_default_size(benchmark, name, cache_dir):
    task = TASKS.get(name)()  # default (demo) sizes: what a cell really trains
    task.prepare(cache_dir)
    splits = task.splits(0, ForgetSpec())
    model = task.recipe(0).initial_model().train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    batch = next(iter(task.loader(splits.train, shuffle=True, seed=0)))

    def step():
        loss = model.loss(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    benchmark.pedantic(step, rounds=5, warmup_rounds=1)
