import math

import pytest
import torch

from bench.objectives import distillation_kl, relabelled


def test_distillation_kl_known_answer():
    """Hand-worked: p = softmax(teacher / T), q = softmax(student / T), KL(p‖q)·T², batch mean."""
    teacher, student = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 0.0]])
    p = torch.softmax(teacher / 2.0, -1)[0]
    expected = float((p * (p / 0.5).log()).sum()) * 4.0
    assert float(distillation_kl(student, teacher, 2.0)) == pytest.approx(expected, rel=1e-6)
    assert float(distillation_kl(teacher, teacher, 3.0)) == pytest.approx(0.0, abs=1e-7)
    # batchmean: two identical rows give the same value as one, not half of it
    assert float(distillation_kl(student.repeat(2, 1), teacher.repeat(2, 1), 2.0)) == pytest.approx(expected, rel=1e-6)
    assert expected > 0 and math.isfinite(expected)


def test_relabelled_retrieval_pairs_every_item_with_another_text(make_request, tiny_task, tiny_splits):
    request = make_request()
    batch = next(iter(request.forget_loader))
    out = relabelled(batch, request, "retrieval", 2, torch.Generator().manual_seed(0))
    assert torch.equal(out["index"], batch["index"]) and torch.equal(out["a"], batch["a"])
    own = tiny_task.pair_batch(batch["index"].tolist(), batch["index"].tolist())["b"].states
    width = min(own.shape[1], out["b"].states.shape[1])
    same = (own[:, :width] == out["b"].states[:, :width]).flatten(1).all(1)
    assert not same.any()


def test_relabelled_classification_draws_a_wrong_label(make_request):
    request = make_request()
    batch = {"label": torch.arange(1000) % 5, "index": torch.arange(1000)}
    out = relabelled(batch, request, "classification", 5, torch.Generator().manual_seed(0))
    assert (out["label"] != batch["label"]).all()
    assert set(out["label"].tolist()) == set(range(5))
