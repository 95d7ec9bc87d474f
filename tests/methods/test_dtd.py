"""Descent-to-Delete: descent on D_r, then Gaussian noise of std σ; and the paper's σ."""

import math

import pytest
import torch

from bench.batches import evaluating
from methods.dtd import DescentToDelete


def test_noise_has_the_requested_standard_deviation(original_copy, make_request):
    """With no steps, every weight moves by an independent N(0, σ²) draw: over the tiny model's
    weights (325k) the measured std was 1.0003·σ (1 and 2 threads)."""
    before = torch.cat([p.detach().flatten().clone() for p in original_copy.parameters()])
    model = DescentToDelete(steps=0, sigma=0.02).unlearn(original_copy, make_request())
    delta = torch.cat([p.detach().flatten() for p in model.parameters()]) - before
    assert abs(float(delta.std()) / 0.02 - 1.0) < 0.02 and abs(float(delta.mean())) < 0.02 * 0.02


def task_loss(model, task, indices) -> float:
    """The training objective (in-batch ITC + ITM) over fixed batches, with ITM's hard
    negatives drawn from a fixed seed."""
    torch.manual_seed(0)
    with evaluating(model):
        losses = [model.loss(b) for b in task.loader(indices, shuffle=False, seed=0, batch_size=64)]
    return float(torch.stack(losses).mean())


def test_steps_descend_the_retain_task_loss(original_copy, make_request, tiny_task, tiny_splits):
    """Without noise the steps lower the task loss on D_r (ascent would raise it): measured
    3.947 -> 3.794 on the tiny setting (1 and 2 threads)."""
    before = task_loss(original_copy, tiny_task, tiny_splits.retain)
    model = DescentToDelete(steps=32, lr=0.05, sigma=0.0).unlearn(original_copy, make_request())
    after = task_loss(model, tiny_task, tiny_splits.retain)
    assert after < before - 0.05


def test_theoretical_sigma_matches_the_formula_by_hand():
    """m = 1, M = 3: γ = 1/2; T = 1; n = 100; δ = e^-1 so log(1/δ) = 1; ε = 1:
    σ = 4√2·L·(1/2) / (1·100·(1/2)·(√2 - 1))."""
    sigma = DescentToDelete.theoretical_sigma(epsilon=1.0, delta=math.exp(-1), lipschitz=1.0,
                                              strong_convexity=1.0, smoothness=3.0, n=100, steps=1)
    assert sigma == pytest.approx(4 * math.sqrt(2) / (100 * (math.sqrt(2) - 1)), rel=1e-12)
    more_steps = DescentToDelete.theoretical_sigma(1.0, math.exp(-1), 1.0, 1.0, 3.0, 100, steps=5)
    more_privacy_budget = DescentToDelete.theoretical_sigma(4.0, math.exp(-1), 1.0, 1.0, 3.0, 100, steps=1)
    assert more_steps < sigma and more_privacy_budget < sigma
    with pytest.raises(ValueError):
        DescentToDelete.theoretical_sigma(1.0, 0.1, 1.0, strong_convexity=2.0, smoothness=1.0, n=100, steps=1)
