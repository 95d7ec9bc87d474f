import copy

import pytest
import torch

from bench.errors import UserError
from bench.objectives import distillation_kl
from bench.seeding import seed_everything
from methods.scrub import Scrub
from distillation_helpers import output_divergence
from toy_classification import ToyClassifier, ToyData


def test_rejects_more_max_steps_than_epochs():
    with pytest.raises(UserError, match="max_steps"):
        Scrub(epochs=2, max_steps=3)


def test_objectives_have_the_reference_terms():
    """max: -KL(teacher ‖ student); min: α·KL + γ·task loss. A flipped sign or a dropped term
    changes these numbers."""
    data = ToyData()
    student, teacher = ToyClassifier(torch.Generator().manual_seed(1)), ToyClassifier(torch.Generator().manual_seed(2))
    batch = data.batch(data.retain[:16])
    method = Scrub(alpha=0.3, gamma=0.7, temperature=2.0)
    kl = distillation_kl(student.outputs(batch), teacher.outputs(batch), 2.0)
    task = student.loss(batch)
    assert kl > 0 and task > 0
    assert torch.allclose(method.max_objective(student, teacher, batch), -kl)
    assert torch.allclose(method.min_objective(student, teacher, batch), 0.3 * kl + 0.7 * task)


def test_retrieval_max_steps_push_the_forget_set_away(trained_original, make_request, tiny_task, tiny_splits):
    """The same SCRUB with and without its max passes: with them, the student's in-batch
    distributions on D_f move away from the original's several times as far as without, and
    further than on D_r (a flipped max sign pulls D_f back toward the teacher; a dropped one
    is the run without). Measured at 1 and 2 threads: KL from the original on D_f 3.7x that
    of the run without max passes, and 3.8x that on D_r."""
    loader = lambda idx: tiny_task.loader(idx, shuffle=False, seed=0, batch_size=tiny_task.unlearn_batch_size)
    drift = {}
    for max_steps in (0, 4):
        seed_everything(0)  # the task loss samples ITM negatives from the global generator
        model = Scrub(epochs=4, max_steps=max_steps, lr=5e-4).unlearn(copy.deepcopy(trained_original), make_request())
        drift[max_steps] = {part: output_divergence(trained_original, model, loader(getattr(tiny_splits, part)))
                            for part in ("forget", "retain")}
    assert drift[4]["forget"] > 2.5 * drift[0]["forget"]
    assert drift[4]["forget"] > 2.0 * drift[4]["retain"]


def test_classification_forgets_the_forget_cluster_and_keeps_the_rest():
    """Class logits: the student's predictions move away from the original's on D_f and stay on
    D_r. Measured at 1 and 2 threads: KL from the original on D_f 40x that on D_r; accuracy on
    D_r 1.0."""
    data = ToyData()
    original = data.trained_model()
    model = Scrub(epochs=4, max_steps=2, lr=3e-3).unlearn(copy.deepcopy(original), data.request())
    forget = output_divergence(original, model, data.loader(data.forget, shuffle=False))
    retain = output_divergence(original, model, data.loader(data.retain, shuffle=False))
    assert forget > 5 * retain
    assert data.accuracy(model, data.retain) >= 0.95
