"""Every registered task, built with its smoke params, honours the pair-model contract."""

import pytest
import torch

from bench import ForgetSpec, PairModel
from bench.registry import TASKS


@pytest.fixture(scope="module", params=TASKS.names())
def prepared(request, cache_dir):
    task = TASKS.get(request.param)(**TASKS.get(request.param).smoke_params)
    task.prepare(cache_dir)
    splits = task.splits(0, ForgetSpec(fraction=0.2))
    return task, splits, task.recipe(0).new_model()


def test_splits_are_disjoint_and_cover_the_data(prepared):
    task, s, _ = prepared
    everything = [*s.train, *s.val, *s.test]
    assert sorted(everything) == list(range(len(task)))
    assert len(s.forget) > 0 and set(s.forget) <= set(s.train)


def test_model_implements_the_pair_model_contract(prepared):
    task, s, model = prepared
    assert isinstance(model, PairModel)
    batch = next(iter(task.loader(s.train[:8], shuffle=False, seed=0)))
    assert {"a", "b", "index"} <= set(batch) and batch["index"].tolist() == list(s.train[:8])
    ea, eb, joint = model.encode_a(batch["a"]), model.encode_b(batch["b"]), model.joint(batch["a"], batch["b"])
    assert ea.shape[0] == eb.shape[0] == joint.shape[0] == 8 and ea.shape == eb.shape
    assert model.outputs(batch).shape[0] == 8
    loss = model.loss(batch)
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


@torch.no_grad()
def test_example_losses_do_not_depend_on_the_rest_of_the_batch(prepared):
    task, s, model = prepared
    model.eval()
    full = next(iter(task.loader(s.train[:8], shuffle=False, seed=0)))
    half = next(iter(task.loader(s.train[:4], shuffle=False, seed=0)))
    losses = model.example_losses(full)
    assert losses.shape == (8,)
    torch.testing.assert_close(losses[:4], model.example_losses(half), atol=1e-5, rtol=1e-4)


def test_evaluate_returns_every_declared_metric(prepared):
    task, s, model = prepared
    metrics = task.evaluate(model, s, torch.device("cpu"), seed=0)
    assert set(metrics) == set(task.metric_directions())
    assert all(0.0 <= v <= 100.0 for v in metrics.values())
