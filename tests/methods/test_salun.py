import copy

import pytest
import torch
from torch import nn

from helpers import mean_loss
from toy_classification import ToyData

from bench.errors import UserError
from bench.seeding import seed_everything
from methods.salun import SalUn, saliency, top_fraction_mask, updates_confined


def test_mask_keeps_exactly_the_top_fraction_across_tensors():
    scores = {"w": torch.tensor([[0.0, 5.0], [1.0, 0.0]]), "b": torch.tensor([3.0, 0.0, 0.0, 2.0])}
    mask = top_fraction_mask(scores, 0.5)
    assert mask["w"].tolist() == [False, True, True, False]
    assert mask["b"].tolist() == [True, False, False, True]
    tied = top_fraction_mask({"z": torch.zeros(10)}, 0.3)  # ties still give exactly 30%
    assert int(tied["z"].sum()) == 3


def test_saliency_is_the_gradient_magnitude_of_the_whole_forget_loss():
    data = ToyData()
    model = data.trained_model()
    forget = data.batch(data.forget)
    expected = torch.autograd.grad(model.example_losses(forget).sum(), list(model.parameters()))
    for (name, got), want in zip(saliency(model, data.request()).items(), expected):
        torch.testing.assert_close(got, want.abs(), msg=name)


def test_confined_updates_leave_masked_weights_bit_identical_even_with_weight_decay():
    torch.manual_seed(0)
    layer = nn.Linear(6, 6)
    mask = {n: torch.rand(p.shape) < 0.5 for n, p in layer.named_parameters()}
    before = {n: p.detach().clone() for n, p in layer.named_parameters()}
    optimizer = torch.optim.AdamW(layer.parameters(), lr=0.1, weight_decay=0.5)  # decay and momentum
    with updates_confined(layer, {n: m.flatten() for n, m in mask.items()}, optimizer):
        for _ in range(5):
            optimizer.zero_grad()
            layer(torch.randn(4, 6)).square().sum().backward()
            optimizer.step()
    for name, p in layer.named_parameters():
        assert torch.equal(p[~mask[name]], before[name][~mask[name]]), name
        assert (p[mask[name]] != before[name][mask[name]]).all(), name
    layer(torch.randn(4, 6)).sum().backward()  # the hooks are gone: gradients flow everywhere again
    assert (layer.weight.grad != 0).all()


def test_unlearns_the_forget_set_through_the_salient_weights_only(original_copy, trained_original,
                                                                  make_request, tiny_task, tiny_splits):
    """Weights outside the saliency mask (recomputed from the original) are bit-identical, most
    salient ones moved, and D_f's loss rose, more than D_r's. Measured at OMP_NUM_THREADS=1 and
    2: forget loss +0.50, retain loss +0.21; with the forget pairs left true (a sign error in
    spirit: plain fine-tuning) the forget loss falls."""
    fraction = 0.3
    mask = top_fraction_mask(saliency(trained_original, make_request()), fraction)
    seed_everything(0)
    model = SalUn(epochs=10, lr=5e-4, mask_fraction=fraction).unlearn(original_copy, make_request())
    original = dict(trained_original.named_parameters())
    for name, p in model.named_parameters():
        keep = mask[name].view_as(p)
        assert torch.equal(p[~keep], original[name][~keep]), name
    moved = sum(int((p != original[n]).sum()) for n, p in model.named_parameters())
    assert moved > 0.5 * sum(int(m.sum()) for m in mask.values())
    rise = {part: mean_loss(model, tiny_task, idx) - mean_loss(trained_original, tiny_task, idx)
            for part, idx in (("forget", tiny_splits.forget), ("retain", tiny_splits.retain))}
    assert rise["forget"] > 0.15 and rise["forget"] > rise["retain"]


def test_classification_branch_forgets_and_the_retain_term_protects_the_rest():
    """The toy classifier (D_f a cluster of its own). Measured at 1 and 2 threads: mean forget
    loss 0.04 -> 1.09, retain 0.014 -> 0.125; without the retain term, retain -> 0.50."""
    data = ToyData()
    original = data.trained_model()

    def mean_losses(model) -> list[float]:
        with torch.no_grad():
            return [float(model.example_losses(data.batch(part)).mean()) for part in (data.forget, data.retain)]

    def rises(model) -> list[float]:
        return [after - before for after, before in zip(mean_losses(model), mean_losses(original))]

    runs = {}
    for weight in (1.0, 0.0):
        seed_everything(0)
        method = SalUn(epochs=30, lr=2e-2, retain_weight=weight)
        runs[weight] = rises(method.unlearn(copy.deepcopy(original), data.request()))
    (forget_rise, retain_rise), (_, unprotected_rise) = runs[1.0], runs[0.0]
    assert forget_rise > 0.6 and forget_rise > 4 * retain_rise
    assert retain_rise < 0.5 * unprotected_rise


def test_rejects_an_empty_mask():
    with pytest.raises(UserError, match="mask_fraction"):
        SalUn(mask_fraction=0.0)
