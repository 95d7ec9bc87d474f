"""Every registered task, built with its smoke params, honours the pair-model contract."""

import pytest
import torch

from bench import ForgetSpec, PairModel
from bench.directions import INFO
from bench.pair_model import KINDS
from bench.registry import TASKS
from bench.smoke import smoke_task


@pytest.fixture(scope="module", params=TASKS.names())
def prepared(request, cache_dir):
    task = smoke_task(request.param, cache_dir)  # with a tiny dataset where it reads the disk
    task.prepare(cache_dir)
    splits = task.splits(0, ForgetSpec(fraction=0.2))
    return task, splits, task.recipe(0).initial_model()


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


def _batch(task, indices):
    return next(iter(task.loader(indices, shuffle=False, seed=0)))


def _parameters_reached(model, scalar) -> set[str]:
    model.zero_grad(set_to_none=True)
    scalar.backward()
    reached = {n for n, p in model.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    model.zero_grad(set_to_none=True)
    return reached


def test_example_losses_reach_every_parameter_the_loss_trains(prepared):
    # Fisher, saliency, NPO and per-example attacks only see what example_losses reaches.
    task, s, model = prepared
    batch = _batch(task, s.train[:8])
    torch.manual_seed(0)  # the ITM loss draws its hard negatives from the global RNG
    trained = _parameters_reached(model, model.loss(batch))
    reached = _parameters_reached(model, model.example_losses(batch).sum())
    assert len(trained) > 0
    assert trained <= reached, f"example_losses misses {sorted(trained - reached)}"


def test_kind_and_classes(prepared):
    _, _, model = prepared
    assert model.kind in KINDS
    assert isinstance(model.n_classes, int) and model.n_classes >= 2


@torch.no_grad()
def test_example_probs_are_batch_independent_distributions(prepared):
    task, s, model = prepared
    model.eval()
    probs = model.example_probs(_batch(task, s.train[:8]))
    assert probs.shape == (8, model.n_classes) and (probs >= 0).all()
    torch.testing.assert_close(probs.sum(1), torch.ones(8), atol=1e-5, rtol=0)
    torch.testing.assert_close(probs[:4], model.example_probs(_batch(task, s.train[:4])), atol=1e-5, rtol=0)


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
    assert all(0.0 <= v <= 100.0 for k, v in metrics.items() if k != "eval.gallery_size")


def test_evaluate_uses_one_gallery_size_every_part_can_hold(prepared):
    task, _, model = prepared
    if "eval.gallery_size" not in task.metric_directions():
        pytest.skip("Recall@K galleries: retrieval tasks only")
    s = task.splits(0, ForgetSpec(fraction=0.3))
    assert len(s.test) < len(s.forget)  # the case that used to score test at a smaller gallery
    metrics = task.evaluate(model, s, torch.device("cpu"), seed=0)
    assert metrics["eval.gallery_size"] == min(len(s.forget), len(s.retain), len(s.test))
    assert task.metric_directions()["eval.gallery_size"] == INFO


PROTOCOLS = [ForgetSpec(kind="random", fraction=0.2), ForgetSpec(kind="image", fraction=0.2),
             ForgetSpec(kind="class", count=1), ForgetSpec(kind="sequential", fraction=0.2, steps=3)]


@pytest.mark.parametrize("spec", PROTOCOLS, ids=lambda s: s.kind)
def test_every_forget_protocol_gives_a_valid_split(prepared, spec):
    task = prepared[0]
    if spec.kind == "class" and not task.has_labels:
        pytest.skip("class forgetting: tasks with class labels only")
    task.check([spec])
    base = task.splits(0, ForgetSpec(fraction=0.2))
    for step in spec.expand():
        s = task.splits(0, step)
        assert list(s.train) == list(base.train)  # the original never depends on the request
        assert len(s.forget) > 0 and len(s.retain) > 0
        assert sorted([*s.forget, *s.retain]) == sorted(s.train)
        (last_forget, last_retain) = s.steps()[-1]
        assert list(last_retain) == list(s.retain) and set(last_forget) <= set(s.forget)
    groups = task.item_groups()
    kept_groups = set(groups[s.retain])
    if spec.kind == "image":
        assert not kept_groups & set(groups[s.forget])  # whole groups go
    if spec.kind == "class":
        labels = task.item_labels()
        assert len(set(labels[s.forget])) == 1 and not set(labels[s.forget]) & set(labels[s.retain])
