"""Every registered method, tested without new test code (like parametrize_with_checks)."""

import json

import pytest
import torch

from bench import Method, PairModel
from bench.registry import METHODS


@pytest.fixture(params=METHODS.names())
def method_cls(request):
    return METHODS.get(request.param)


def test_constructor_holds_json_hyperparameters_only(method_cls):
    method = method_cls()
    assert isinstance(method, Method)
    params = method.get_params()
    json.dumps(params)  # hashable into a cell id
    assert method_cls(**params).get_params() == params


def test_unlearn_changes_the_model_and_keeps_it_finite(method_cls, original_copy, make_request):
    before = {k: v.clone() for k, v in original_copy.state_dict().items()}
    out = method_cls().unlearn(original_copy, make_request())
    assert isinstance(out, PairModel)
    after = out.state_dict()
    assert set(after) == set(before)
    assert all(torch.isfinite(v).all() for v in after.values() if v.is_floating_point())
    assert any(not torch.equal(before[k], after[k]) for k in before), "unlearn left every weight as it was"


def test_unlearn_respects_an_exhausted_budget(method_cls, original_copy, make_request):
    """With no time left, gradient methods take no step (retrain is exempt: it is the recipe)."""
    if getattr(method_cls, "reproduces_reference", False):
        pytest.skip("retrain runs the task recipe, which has no budget hook")
    before = {k: v.clone() for k, v in original_copy.state_dict().items()}
    out = method_cls().unlearn(original_copy, make_request(budget_s=0.0))
    assert all(torch.equal(before[k], v) for k, v in out.state_dict().items())
