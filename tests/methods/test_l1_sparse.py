import pytest
import torch

from bench.seeding import seed_everything
from methods.l1_sparse import L1Sparse, l1_weight


def test_penalty_weight_decays_linearly_from_alpha():
    n_steps, alpha = 12, 0.3
    weights = [l1_weight(t, n_steps, alpha) for t in range(n_steps)]
    assert weights[0] == alpha
    steps = [b - a for a, b in zip(weights, weights[1:])]
    assert steps == pytest.approx([-alpha / n_steps] * (n_steps - 1))  # a straight line ...
    assert weights[-1] == pytest.approx(alpha / n_steps)  # ... still on at the last step
    assert l1_weight(n_steps, n_steps, alpha) == 0.0


def _l1_norm(model) -> float:
    return float(sum(p.detach().abs().sum() for p in model.parameters() if p.requires_grad))


def _unlearned(method, setting):
    seed_everything(0)  # the fusion model's ITM negatives come from the global RNG
    return method.unlearn(setting.model(), setting.request())


def test_penalty_shrinks_the_weights_against_plain_finetuning(emoji_setting):
    """Same steps, same batches; only the ℓ1 term differs. Measured at OMP_NUM_THREADS=1 and 2:
    ‖θ‖₁ after alpha=1e-2 is 0.49x that after alpha=0 (plain fine-tuning itself grows ‖θ‖₁ by
    8%); a dropped or sign-flipped penalty gives a ratio of 1 or above."""
    plain = _unlearned(L1Sparse(epochs=3, lr=5e-3, alpha=0.0), emoji_setting)
    sparse = _unlearned(L1Sparse(epochs=3, lr=5e-3, alpha=1e-2), emoji_setting)
    assert _l1_norm(sparse) < 0.7 * _l1_norm(plain)
