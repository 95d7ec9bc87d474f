"""The empirical diagonal Fisher against per-example gradients computed by hand."""

import pytest
import torch
from torch import nn

from bench.fisher_information import diagonal_fisher

CPU = torch.device("cpu")


class LinearRegression(nn.Module):
    """ℓ_i = ½(w·x_i + b - y_i)², so ∂ℓ_i/∂w = r_i·x_i and ∂ℓ_i/∂b = r_i with r_i the residual."""

    def __init__(self):
        super().__init__()
        self.fit = nn.Linear(3, 1)
        with torch.no_grad():
            self.fit.weight.copy_(torch.tensor([[0.5, -1.0, 2.0]]))
            self.fit.bias.fill_(0.25)

    def example_losses(self, batch):
        return 0.5 * (self.fit(batch["a"]).squeeze(-1) - batch["label"]) ** 2


def data(n: int):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=g)
    y = torch.randn(n, generator=g) - 2.0  # an offset: the residuals share a sign, μ ≠ 0
    return x, y


def batches(x, y, groups):
    return [{"a": x[list(rows)], "label": y[list(rows)], "index": torch.tensor(rows)} for rows in groups]


def by_hand(model, x, y):
    residual = (model.fit(x).squeeze(-1) - y).detach()
    per_example_w = residual[:, None] * x  # [N, 3]
    return {"fit.weight": (per_example_w ** 2).mean(0, keepdim=True),
            "fit.bias": (residual ** 2).mean(0, keepdim=True)}


def test_one_example_per_pass_is_the_exact_empirical_fisher():
    model, (x, y) = LinearRegression(), data(10)
    fisher = diagonal_fisher(model, batches(x, y, [range(0, 4), range(4, 10)]), CPU, micro_batch=1)
    for name, expected in by_hand(model, x, y).items():
        torch.testing.assert_close(fisher[name], expected, rtol=1e-5, atol=1e-7)


def pairings(items):
    """Every way to split ``items`` into unordered pairs."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for i, partner in enumerate(rest):
        for tail in pairings(rest[:i] + rest[i + 1:]):
            yield [(first, partner), *tail]


def test_micro_batches_are_unbiased_over_random_partitions():
    """Averaged over all 105 ways to pair 8 examples, the micro-batch estimate is the exact
    Fisher, while the plain mean of squared pair sums is off by about the squared mean gradient (43% here)."""
    model, (x, y) = LinearRegression(), data(8)
    estimates = [diagonal_fisher(model, batches(x, y, pairs), CPU, micro_batch=2)
                 for pairs in pairings(list(range(8)))]
    assert len(estimates) == 105
    exact = by_hand(model, x, y)
    residual = (model.fit(x).squeeze(-1) - y).detach()
    pair_sums = [residual[list(p)].sum() ** 2 for pairs in pairings(list(range(8))) for p in pairs]
    naive_bias = float(torch.stack(pair_sums).mean() / 2 - exact["fit.bias"])
    assert naive_bias > 0.25 * float(exact["fit.bias"])  # the correction has something to correct
    for name in exact:
        assert all((e[name] > 0).all() for e in estimates)  # no clamping at 0, which would bias it
        mean = torch.stack([e[name] for e in estimates]).mean(0)
        torch.testing.assert_close(mean, exact[name], rtol=1e-4, atol=1e-6)


def test_a_set_smaller_than_four_micro_batches_is_estimated_exactly():
    model, (x, y) = LinearRegression(), data(6)
    fisher = diagonal_fisher(model, batches(x, y, [range(6)]), CPU, micro_batch=8)
    torch.testing.assert_close(fisher["fit.bias"], by_hand(model, x, y)["fit.bias"], rtol=1e-5, atol=1e-7)


def test_leaves_mode_and_gradients_as_they_were():
    model, (x, y) = LinearRegression(), data(4)
    model.train()
    diagonal_fisher(model, batches(x, y, [range(4)]), CPU)
    assert model.training and all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError):
        diagonal_fisher(model, [], CPU)


def test_splits_real_pair_batches_into_single_examples(setting_for):
    """On the fusion model (text as TextTokens, images as tensors), micro-batches of one cut
    out of 8-example batches give the same Fisher as a loader of single examples."""
    setting = setting_for("emoji_retrieval")
    model, task, rows = setting.model(), setting.task, setting.splits.forget[:8]
    def fisher(batch_size):
        return diagonal_fisher(model, task.loader(rows, shuffle=False, seed=0, batch_size=batch_size), CPU,
                               micro_batch=1)

    sliced, singles = fisher(8), fisher(1)
    for name in singles:
        torch.testing.assert_close(sliced[name], singles[name], rtol=1e-4, atol=1e-9)
