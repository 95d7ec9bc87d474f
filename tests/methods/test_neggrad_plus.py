from helpers import mean_loss
from toy_classification import ToyData

from bench.seeding import seed_everything
from methods.neggrad_plus import NegGradPlus


def test_ascends_on_the_forget_set_and_holds_the_retain_set(original_copy, make_request, tiny_task, tiny_splits):
    """α·loss(D_r) − (1−α)·loss(D_f): the per-pair loss rises on D_f while the retain term keeps
    D_r's in check. Measured at 1 and 2 threads: forget 1.96x, retain 1.41x; with the forget
    term's sign flipped or the term dropped forget 1.03x / 1.08x; with the retain term dropped or
    its sign flipped retain 4.0x."""
    seed_everything(0)  # the ITM negatives in ``model.loss`` draw from the global RNG
    forget_before = mean_loss(original_copy, tiny_task, tiny_splits.forget)
    retain_before = mean_loss(original_copy, tiny_task, tiny_splits.retain)
    model = NegGradPlus(alpha=0.5, epochs=3, lr=1e-3).unlearn(original_copy, make_request())
    assert mean_loss(model, tiny_task, tiny_splits.forget) > 1.5 * forget_before
    assert mean_loss(model, tiny_task, tiny_splits.retain) < 2.0 * retain_before


def test_classification_forgets_the_forget_cluster_and_keeps_the_rest():
    """Measured at 1 and 2 threads: accuracy on D_f 1.0 -> 0.50, on D_r 0.90; with the forget
    term dropped D_f keeps 0.75, with its sign flipped 1.0."""
    data = ToyData()
    seed_everything(0)
    model = NegGradPlus(alpha=0.5, epochs=3, lr=1e-2).unlearn(data.trained_model(), data.request())
    assert data.accuracy(model, data.forget) < 0.65
    assert data.accuracy(model, data.retain) > 0.8
