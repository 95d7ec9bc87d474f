"""Retraining from scratch on D_r: the gold standard every other method is judged against."""

from bench import Method, UnlearnRequest, register_method


@register_method("retrain")
class Retrain(Method):
    """Trains a fresh model with the task's own recipe (same initialisation, loader, batch size
    and seed as the reference) on the retain set only, so it reproduces the reference.

    The runner serves this method from its cached retrained reference (the same recipe on the
    same D_r), timing it as that model's training (``reproduces_reference``).
    """

    name = "retrain"
    reproduces_reference = True

    def unlearn(self, model, request: UnlearnRequest):
        fresh = request.recipe.initial_model().to(request.device)
        return request.recipe.train(fresh, request.retain_indices, request.device)
