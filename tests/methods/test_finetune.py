from helpers import mean_loss

from methods.finetune import Finetune


def test_trains_on_retain_and_lets_the_forget_set_fade(original_copy, make_request, tiny_task, tiny_splits):
    forget0 = mean_loss(original_copy, tiny_task, tiny_splits.forget)
    retain0 = mean_loss(original_copy, tiny_task, tiny_splits.retain)
    model = Finetune(epochs=5).unlearn(original_copy, make_request())
    gap0 = forget0 - retain0
    gap1 = mean_loss(model, tiny_task, tiny_splits.forget) - mean_loss(model, tiny_task, tiny_splits.retain)
    assert gap1 > gap0  # the forget pairs lose their advantage over the retained ones
