"""FusionPairModel's per-example outputs: the documented ITC + ITM decomposition, on random
inputs through a stand-in first-modality tower (the real towers are covered by the task
contract tests)."""

import pytest
import torch

from bench import PairModel
from tasks.models.fusion import FusionLayer, FusionPairModel
from tasks.text_features import HIDDEN, TextTokens
from token_tower import DIM, TokenTower


@pytest.fixture
def model_and_batch():
    torch.manual_seed(0)
    model = FusionPairModel(TokenTower(), dim=DIM, heads=2).eval()
    mask = torch.ones(6, 5, dtype=torch.bool)
    mask[:3, 3:] = False  # padded captions: padding must not leak into any score
    batch = {"a": torch.randn(6, 4, DIM), "b": TextTokens(torch.randn(6, 5, HIDDEN), mask),
             "index": torch.arange(6)}
    return model, batch


@torch.no_grad()
def test_example_loss_is_itc_gap_plus_itm_nll(model_and_batch):
    model, batch = model_and_batch
    itc = (1 - model.pair_scores(batch["a"], batch["b"])) / model.temperature
    itm = -model.example_probs(batch)[:, 1].log()
    torch.testing.assert_close(model.example_losses(batch), itc + itm, atol=1e-5, rtol=1e-5)
    assert (itm > 0).all()  # an untrained ITM head is far from certain: the term is not negligible


@torch.no_grad()
def test_example_probs_follow_the_itm_head_on_the_matched_pair(model_and_batch):
    model, batch = model_and_batch
    probs = model.example_probs(batch)
    expected = model.itm_head(model.joint(batch["a"], batch["b"])).softmax(-1)
    torch.testing.assert_close(probs, expected)
    torch.testing.assert_close(probs.sum(1), torch.ones(6))


def test_declares_a_two_class_retrieval_model(model_and_batch):
    model, _ = model_and_batch
    assert isinstance(model, PairModel)
    assert (model.kind, model.n_classes) == ("retrieval", 2)


@torch.no_grad()
def test_represent_is_joint_and_both_embeddings_from_one_pass(model_and_batch):
    model, batch = model_and_batch
    joint, ea, eb = model.represent(batch["a"], batch["b"])
    torch.testing.assert_close(joint, model.joint(batch["a"], batch["b"]))
    torch.testing.assert_close(ea, model.encode_a(batch["a"]))
    torch.testing.assert_close(eb, model.encode_b(batch["b"]))


@torch.no_grad()
def test_the_first_only_layer_equals_the_full_layer_at_position_0():
    torch.manual_seed(0)
    layer = FusionLayer(DIM, heads=2).eval()
    x, ctx = torch.randn(6, 5, DIM), torch.randn(6, 4, DIM)
    x_mask, ctx_mask = torch.rand(6, 5) > 0.3, torch.rand(6, 4) > 0.3
    x_mask[:, 0] = ctx_mask[:, 0] = True  # [CLS] and one context token are always real
    full = layer(x, x_mask, ctx, ctx_mask)[:, 0]
    first = layer(x, x_mask, ctx, ctx_mask, first_only=True)
    assert first.shape == (6, 1, DIM)
    torch.testing.assert_close(first[:, 0], full, atol=1e-5, rtol=1e-5)
