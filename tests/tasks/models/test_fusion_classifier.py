"""FusionClassifier: cross-entropy per example, plus ITC on the matched pairs in ``loss``."""

import torch
import torch.nn.functional as F

from tasks.models.fusion_classifier import FusionClassifier
from tasks.text_features import HIDDEN, TextTokens
from token_tower import DIM, TokenTower


def _model_and_batch(align_weight: float):
    torch.manual_seed(0)
    model = FusionClassifier(TokenTower(), n_classes=3, matched_class=0, dim=DIM, heads=2,
                             align_weight=align_weight).eval()
    batch = {"a": torch.randn(6, 4, DIM), "b": TextTokens(torch.randn(6, 5, HIDDEN), torch.ones(6, 5, dtype=torch.bool)),
             "label": torch.tensor([0, 1, 2, 0, 0, 1]), "index": torch.arange(6)}
    return model, batch


@torch.no_grad()
def test_example_losses_are_the_cross_entropy_and_probs_its_softmax():
    model, batch = _model_and_batch(align_weight=0.0)
    logits = model.outputs(batch)
    torch.testing.assert_close(model.example_losses(batch), F.cross_entropy(logits, batch["label"], reduction="none"))
    torch.testing.assert_close(model.example_probs(batch), logits.softmax(-1))
    torch.testing.assert_close(model.loss(batch), model.example_losses(batch).mean())


@torch.no_grad()
def test_loss_adds_itc_over_the_matched_pairs():
    model, batch = _model_and_batch(align_weight=0.5)
    matched = batch["label"] == 0
    ea, eb = model.encode_a(batch["a"])[matched], model.encode_b(batch["b"])[matched]
    sim = ea @ eb.T / model.temperature
    target = torch.arange(3)
    itc = (F.cross_entropy(sim, target) + F.cross_entropy(sim.T, target)) / 2
    torch.testing.assert_close(model.loss(batch), model.example_losses(batch).mean() + 0.5 * itc)
