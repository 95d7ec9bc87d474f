"""Every registered method on every registered task, tested without new test code (like
scikit-learn's parametrize_with_checks). A method runs once per task at its defaults (twice, for
determinism); the checks read those runs."""

import json
from functools import lru_cache

import pytest
import torch

from bench import Method, PairModel
from bench.batches import example_losses
from bench.cell_checks import relative_distance
from bench.registry import METHODS, TASKS
from bench.seeding import deterministic, seed_everything

CPU = torch.device("cpu")


@pytest.fixture(params=METHODS.names())
def method_cls(request):
    return METHODS.get(request.param)


@pytest.fixture(params=TASKS.names())
def setting(request, setting_for):
    return setting_for(request.param)


_runs: dict = {}


def _unlearn(method_cls, setting, repeat: int):
    key = (method_cls.name, setting.task.name, repeat)
    if key not in _runs:
        request = setting.request(full_train=method_cls.needs_full_train)
        with deterministic():
            seed_everything(0)
            model = method_cls().unlearn(setting.model(), request)
        _runs[key] = (model, request)
    return _runs[key]


def _forget_loss(model, setting) -> float:
    loader = setting.task.loader(setting.splits.forget, shuffle=False, seed=0)
    return float(example_losses(model, loader, CPU).mean())


def test_constructor_holds_json_hyperparameters_only(method_cls):
    method = method_cls()
    assert isinstance(method, Method)
    params = method.get_params()
    json.dumps(params)  # hashable into a cell id
    assert method_cls(**params).get_params() == params
    assert method_cls.from_params("method", method_cls.name, params).get_params() == params


def test_returns_the_same_architecture_with_finite_weights(method_cls, setting):
    model, _ = _unlearn(method_cls, setting, 0)
    assert isinstance(model, PairModel)
    before, after = setting.original.state_dict(), model.state_dict()
    assert {k: v.shape for k, v in after.items()} == {k: v.shape for k, v in before.items()}
    assert all(torch.isfinite(v).all() for v in after.values() if v.is_floating_point())


def test_changes_the_model(method_cls, setting):
    model, _ = _unlearn(method_cls, setting, 0)
    assert relative_distance(model, setting.original) > 1e-6, "unlearn left the model as it was"


def test_raises_the_loss_on_the_forget_set(method_cls, setting):
    """Every method claims to make D_f less familiar to the model than it was."""
    model, _ = _unlearn(method_cls, setting, 0)
    assert _forget_loss(model, setting) > _forget_loss(setting.original, setting)


def test_is_deterministic_for_a_seed(method_cls, setting):
    first, _ = _unlearn(method_cls, setting, 0)
    second, _ = _unlearn(method_cls, setting, 1)
    for name, weight in first.state_dict().items():
        assert torch.equal(weight, second.state_dict()[name]), name


def test_obeys_an_exhausted_deadline(method_cls, setting):
    """With no time left a method changes nothing and says it stopped early (retrain is exempt:
    the runner serves it from the cached reference)."""
    if method_cls.reproduces_reference:
        pytest.skip("retrain is the task's recipe, served from the reference")
    request = setting.request(budget_s=0.0, full_train=method_cls.needs_full_train)
    model = method_cls().unlearn(setting.model(), request)
    assert relative_distance(model, setting.original) == 0.0
    assert request.stopped_early
