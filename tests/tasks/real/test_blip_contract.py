"""The BLIP backbone honours the pair-model contract as the CLIP backbone does in the task
contract tests (the tasks' smoke runs use CLIP: on the tiny fixture, two steps of gradient
ascent on BLIP's ITM, whose negatives outnumber its positives, lower the forgotten pairs' ITM
loss, so the method contract's "raises forget loss" check says nothing about the method there)."""

import pytest
import torch

from bench import PairModel
from tasks.real.coco import Coco


@pytest.fixture(scope="module")
def blip(data_root, cache_dir):
    task = Coco(data_dir=str(data_root), backbone="blip", backbone_dir="models/tiny-blip", n_images=12)
    task.prepare(cache_dir)
    return task, task.recipe(0).initial_model()


def _reached(model, scalar) -> set[str]:
    model.zero_grad(set_to_none=True)
    scalar.backward()
    reached = {n for n, p in model.named_parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    model.zero_grad(set_to_none=True)
    return reached


def test_example_losses_reach_every_trained_parameter_and_ignore_the_batch(blip):
    task, model = blip
    assert isinstance(model, PairModel) and model.kind == "retrieval"
    batch, half = task.pair_batch(range(8), range(8)), task.pair_batch(range(4), range(4))
    torch.manual_seed(0)  # the ITM negatives
    trained = _reached(model, model.loss(batch))
    assert trained and trained <= _reached(model, model.example_losses(batch).sum())
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model.example_losses(batch)[:4], model.example_losses(half), atol=1e-5, rtol=1e-4)
        probs = model.example_probs(batch)
    torch.testing.assert_close(probs.sum(1), torch.ones(8))
    torch.testing.assert_close(probs[:4], model.example_probs(half), atol=1e-5, rtol=0)


def test_represent_equals_the_three_contract_calls(blip):
    task, model = blip
    batch = task.pair_batch(range(4), range(4))
    with torch.no_grad():
        joint, ea, eb = model.eval().represent(batch["a"], batch["b"])
        torch.testing.assert_close(joint, model.joint(batch["a"], batch["b"]))
        torch.testing.assert_close(ea, model.encode_a(batch["a"]))
        torch.testing.assert_close(eb, model.encode_b(batch["b"]))
