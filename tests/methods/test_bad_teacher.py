import copy

import pytest
import torch

from bench.objectives import distillation_kl
from methods.bad_teacher import TEACHER_STREAM, BadTeacher
from distillation_helpers import output_divergence
from toy_classification import ToyClassifier, ToyData


def _incompetent(request):
    return request.recipe.random_model(request.generator(TEACHER_STREAM))


def test_objective_weighs_both_teachers_by_their_share():
    """Each term on its own: a dropped term or a swapped teacher changes these numbers."""
    data = ToyData()
    student, good, bad = (ToyClassifier(torch.Generator().manual_seed(s)) for s in (1, 2, 3))
    df, dr = data.batch(data.forget[:16]), data.batch(data.retain[:16])
    method = BadTeacher(temperature=2.0)
    kl_forget = distillation_kl(student.outputs(df), bad.outputs(df), 2.0)
    kl_retain = distillation_kl(student.outputs(dr), good.outputs(dr), 2.0)
    assert kl_forget > 0 and kl_retain > 0
    for share in (0.0, 0.25, 1.0):
        expected = share * kl_forget + (1 - share) * kl_retain
        assert torch.allclose(method.objective(student, good, bad, df, dr, share), expected)


def test_retrieval_forget_set_moves_to_the_bad_teacher(original_copy, trained_original, make_request,
                                                       tiny_task, tiny_splits):
    """Measured at 1 and 2 threads: on D_f the KL from the random teacher to the student fell to
    0.09 of the original model's (a flipped sign raises it, a dropped term leaves it)."""
    request = make_request()
    model = BadTeacher(epochs=3, lr=1e-3, temperature=1.0).unlearn(original_copy, request)
    forget = tiny_task.loader(tiny_splits.forget, shuffle=False, seed=0, batch_size=tiny_task.unlearn_batch_size)
    bad = _incompetent(request)
    assert output_divergence(bad, model, forget) < 0.4 * output_divergence(bad, trained_original, forget)


def test_classification_forgets_the_forget_cluster_and_keeps_the_rest():
    """Class logits: the student follows the random teacher on D_f and the original on D_r.
    Measured at 1 and 2 threads: KL to the bad teacher on D_f fell to 0.39 of the original's;
    the student drifted 8x as far from the original on D_f as on D_r; accuracy D_f 0.85, D_r 0.99."""
    data = ToyData()
    original = data.trained_model()
    request = data.request()
    model = BadTeacher(epochs=10, lr=3e-3, temperature=1.0).unlearn(copy.deepcopy(original), request)
    forget, retain = data.loader(data.forget, shuffle=False), data.loader(data.retain, shuffle=False)
    bad = _incompetent(request)
    assert output_divergence(bad, model, forget) < 0.7 * output_divergence(bad, original, forget)
    assert output_divergence(original, model, forget) > 3 * output_divergence(original, model, retain)
    assert data.accuracy(model, data.retain) >= 0.95


@pytest.mark.parametrize("fraction", [0.3, 1.0])
def test_retain_subset_is_a_seeded_share_of_retain(fraction):
    data = ToyData()
    subset = lambda seed: sorted(int(i) for b in BadTeacher(retain_fraction=fraction)._retain_subset(
        data.request(seed=seed)) for i in b["index"])
    first = subset(3)
    assert first == subset(3)  # same seed, same subset
    assert len(first) == round(fraction * len(data.retain))
    assert set(first) <= set(data.retain.tolist())
    assert (subset(4) != first) == (fraction < 1.0)
