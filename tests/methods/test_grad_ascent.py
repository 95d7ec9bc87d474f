from helpers import mean_loss

from methods.grad_ascent import GradAscent


def test_raises_the_loss_on_the_forget_set(original_copy, make_request, tiny_task, tiny_splits):
    before = mean_loss(original_copy, tiny_task, tiny_splits.forget)
    model = GradAscent(epochs=5, lr=5e-4).unlearn(original_copy, make_request())
    assert mean_loss(model, tiny_task, tiny_splits.forget) > 1.2 * before
