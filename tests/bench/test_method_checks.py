"""``bench.method_checks`` rejects each way a method can break the contract, with the reason."""

import copy
import time

import pytest
import torch

from bench import Method
from bench.loops import adamw, run_steps
from bench.method_checks import FAIL, PASS, check_class, check_method


class Ascent(Method):
    """A well-behaved method: a few ascent steps on D_f through ``run_steps``."""

    name = "ascent"

    def __init__(self, steps: int = 2):
        self.steps = steps

    def unlearn(self, model, request):
        batch = next(iter(request.forget_loader))
        run_steps(model, adamw(model, 1e-3), self.steps, lambda: -model.loss(batch), request, "ascent")
        return model


class NewArchitecture(Ascent):
    def unlearn(self, model, request):
        model = super().unlearn(model, request)
        model.extra = torch.nn.Linear(2, 2)
        return model


class MutatesItsInput(Ascent):
    def unlearn(self, model, request):
        student = super().unlearn(copy.deepcopy(model), request)
        with torch.no_grad():
            for weight in model.parameters():
                weight.mul_(0.5)
        return student


class NaNWeights(Ascent):
    def unlearn(self, model, request):
        model = super().unlearn(model, request)
        with torch.no_grad():
            next(model.parameters()).fill_(float("nan"))
        return model


class NonDeterministic(Ascent):
    def unlearn(self, model, request):
        model = super().unlearn(model, request)
        noise = torch.Generator().manual_seed(time.perf_counter_ns())
        with torch.no_grad():
            for weight in model.parameters():
                weight.add_(1e-3 * torch.randn(weight.shape, generator=noise) * (not request.stopped_early))
        return model


class LeavesItUnchanged(Ascent):
    def unlearn(self, model, request):
        request.out_of_time()  # obeys the deadline, and does nothing either way
        return model


class IgnoresTheDeadline(Ascent):
    def unlearn(self, model, request):
        optimizer = adamw(model, 1e-3)
        for batch in request.forget_loader:
            optimizer.zero_grad()
            (-model.loss(batch)).backward()
            optimizer.step()
        return model


class ReturnsNothing(Ascent):
    def unlearn(self, model, request):
        super().unlearn(model, request)


class Raises(Ascent):
    def unlearn(self, model, request):
        raise RuntimeError("boom")


def _results(method_cls, setting):
    return {r.check: r for r in check_method(method_cls.name, method_cls, [setting])}


def test_a_well_behaved_method_passes_every_check(emoji_setting):
    results = _results(Ascent, emoji_setting)
    assert all(r.status == PASS for r in results.values()), [r.line() for r in results.values()]


# A broken method fails its check and only the checks that follow from it: a model left as it
# was is no less familiar with D_f; NaN weights, written even with no time left, change the model.
ALSO = {LeavesItUnchanged: ["raises forget loss"], NaNWeights: ["obeys the deadline"]}


@pytest.mark.parametrize("method_cls, check, fragment", [
    (NewArchitecture, "architecture", "extra.weight"),
    (MutatesItsInput, "input untouched", "returned a new model but also changed the one it was given"),
    (NaNWeights, "finite weights", "NaN or inf in"),
    (NonDeterministic, "deterministic", "two runs with seed 0 differ"),
    (LeavesItUnchanged, "changes the model", "the model is unchanged"),
    (IgnoresTheDeadline, "obeys the deadline", "still changed the model"),
    (Raises, "runs", "unlearn raised RuntimeError: boom (at test_method_checks.py:"),
    (ReturnsNothing, "runs", "returned NoneType, not a model"),
])
def test_each_broken_method_fails_its_check_with_reason_and_fix(method_cls, check, fragment, emoji_setting):
    results = _results(method_cls, emoji_setting)
    result = results[check]
    assert result.status == FAIL and fragment in result.reason, result.line()
    assert " -- fix: " in result.line()
    failed = [r.check for r in results.values() if r.status == FAIL]
    assert sorted(failed) == sorted([check, *ALSO.get(method_cls, [])]), failed


def test_class_checks_reject_a_wrong_name_and_non_json_params():
    class Misnamed(Ascent):
        name = "other"

    class Opaque(Ascent):
        def __init__(self, steps: object = object()):
            self.steps = steps

    assert [r.status for r in check_class("misnamed", Misnamed)] == [PASS, FAIL]
    assert check_class("ascent", Opaque)[0].status == FAIL
