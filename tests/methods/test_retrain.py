from helpers import mean_loss

from methods.retrain import Retrain


def test_a_model_that_never_saw_the_forget_set(original_copy, make_request, tiny_task, tiny_splits):
    before = mean_loss(original_copy, tiny_task, tiny_splits.forget)
    model = Retrain().unlearn(original_copy, make_request())
    assert mean_loss(model, tiny_task, tiny_splits.forget) > before
    assert Retrain.reproduces_reference
