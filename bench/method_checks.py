"""The method contract, as checks that ``unlearnbench check-method`` and the test suite share.

A method is run on each task's smoke setting (``bench.smoke``) three times: twice at its
defaults with seed 0 under deterministic kernels (the second run checks determinism), once with
an exhausted deadline. Every check reads those runs and returns a ``CheckResult`` with the
reason it failed and how to fix it. Class checks need no task: the constructor holds
JSON-able hyperparameters only, and the class's ``name`` is its registry key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import numpy as np
import torch

from bench.batches import example_losses
from bench.cell_checks import relative_distance
from bench.errors import describe
from bench.method import Method
from bench.pair_model import PairModel
from bench.seeding import deterministic, seed_everything
from bench.smoke import CPU, Setting

PASS, FAIL, SKIP = "pass", "FAIL", "skip"


@dataclass(frozen=True)
class CheckResult:
    check: str
    status: str  # PASS, FAIL or SKIP
    task: str | None = None
    reason: str = ""
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status != FAIL

    def line(self) -> str:
        where = f" [{self.task}]" if self.task else ""
        text = f"{self.status:<4} {self.check}{where}"
        if self.reason:
            text += f": {self.reason}"
        return text + (f" -- fix: {self.fix}" if self.status == FAIL and self.fix else "")


@dataclass
class Outcome:
    """One ``unlearn`` call: the model given, the model returned (None if it raised), the
    request, and copies of the request's index arrays taken before the call."""

    given: torch.nn.Module
    returned: torch.nn.Module | None
    error: str
    request: object
    forget_before: np.ndarray
    retain_before: np.ndarray


class MethodRuns:
    """The runs of one method class on one setting, each made on first use."""

    def __init__(self, method_cls: type[Method], setting: Setting):
        self.method_cls, self.setting = method_cls, setting

    def _call(self, budget_s: float) -> Outcome:
        request = self.setting.request(budget_s=budget_s, full_train=self.method_cls.needs_full_train)
        given = self.setting.model()
        forget, retain = request.forget_indices.copy(), request.retain_indices.copy()
        try:
            with deterministic():
                seed_everything(0)
                returned, error = self.method_cls().unlearn(given, request), ""
        except Exception as exc:  # reported by the `runs` check, with its location
            returned, error = None, f"unlearn raised {describe(exc)}"
        if not error and not isinstance(returned, torch.nn.Module):
            returned, error = None, f"returned {type(returned).__name__}, not a model"
        return Outcome(given, returned, error, request, forget, retain)

    @cached_property
    def first(self) -> Outcome:
        return self._call(600.0)

    @cached_property
    def second(self) -> Outcome:
        return self._call(600.0)

    @cached_property
    def exhausted(self) -> Outcome:
        return self._call(0.0)


def _forget_loss(model: torch.nn.Module, setting: Setting) -> float:
    loader = setting.task.loader(setting.splits.forget, shuffle=False, seed=0)
    return float(example_losses(model, loader, CPU).mean())


def _shapes(model: torch.nn.Module) -> dict[str, tuple]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


# Each check: runs -> (status, reason). The fix is in CHECK_FIXES.
def _runs(runs: MethodRuns):
    return (FAIL, runs.first.error) if runs.first.error else (PASS, "")


def _architecture(runs: MethodRuns):
    model = runs.first.returned
    if not isinstance(model, PairModel):
        return FAIL, f"returned {type(model).__name__}, not the task's pair model"
    before, after = _shapes(runs.setting.original), _shapes(model)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        return FAIL, f"parameters differ from the original's in name or shape: {', '.join(changed[:3])}"
    return PASS, ""


def _non_finite(model: torch.nn.Module) -> list[str]:
    return [k for k, v in model.state_dict().items() if v.is_floating_point() and not torch.isfinite(v).all()]


def _finite(runs: MethodRuns):
    bad = _non_finite(runs.first.returned)
    return (FAIL, f"NaN or inf in {', '.join(bad[:3])}") if bad else (PASS, "")


def _input(runs: MethodRuns):
    out = runs.first
    if not np.array_equal(out.request.forget_indices, out.forget_before) or \
            not np.array_equal(out.request.retain_indices, out.retain_before):
        return FAIL, "the request's forget_indices or retain_indices were modified"
    if out.returned is not out.given and relative_distance(out.given, runs.setting.original) > 0:
        return FAIL, "returned a new model but also changed the one it was given"
    return PASS, ""


def _changes(runs: MethodRuns):
    distance = relative_distance(runs.first.returned, runs.setting.original)
    return (PASS, f"relative change {distance:.2g}") if distance > 1e-6 else \
        (FAIL, f"the model is unchanged (relative change {distance:.1g})")


def _forgets(runs: MethodRuns):
    before = _forget_loss(runs.setting.original, runs.setting)
    after = _forget_loss(runs.first.returned, runs.setting)
    status = PASS if after > before else FAIL
    return status, f"forget loss {before:.4g} -> {after:.4g}"


def _deterministic(runs: MethodRuns):
    if runs.second.error:
        return FAIL, f"the second run failed: {runs.second.error}"
    second = runs.second.returned.state_dict()
    for name, weight in runs.first.returned.state_dict().items():
        if not torch.equal(weight, second[name]):
            return FAIL, f"two runs with seed 0 differ in {name}"
    return PASS, ""


def _deadline(runs: MethodRuns):
    if runs.method_cls.reproduces_reference:
        return SKIP, "served from the retrained reference, which has no deadline"
    out = runs.exhausted
    if out.error:
        return FAIL, f"with no time left: {out.error}"
    if relative_distance(out.returned, runs.setting.original) != 0.0:
        return FAIL, "with no time left (seconds_left() <= 0) it still changed the model"
    if not out.request.stopped_early:
        return FAIL, "with no time left it did not set request.stopped_early"
    return PASS, ""


TASK_CHECKS: dict[str, Callable[[MethodRuns], tuple[str, str]]] = {
    "runs": _runs, "architecture": _architecture, "finite weights": _finite,
    "input untouched": _input, "changes the model": _changes, "raises forget loss": _forgets,
    "deterministic": _deterministic, "obeys the deadline": _deadline,
}
# Checks that measure the returned weights, so say nothing useful about NaN ones.
NEED_FINITE = frozenset({"input untouched", "changes the model", "raises forget loss", "deterministic"})
CHECK_FIXES = {
    "runs": "run it on the tiny task in a debugger; the location is in the message",
    "architecture": "modify the model you are given (or a copy.deepcopy of it) and return it; never build a new architecture",
    "finite weights": "lower the learning rate, clip gradients (bench.loops.run_steps does), or bound the loss",
    "input untouched": "either change the given model in place and return it, or copy it and leave it as it was "
                       "(keep a frozen teacher copy out of the optimizer); never modify the request's arrays",
    "changes the model": "make sure the optimizer holds the model's parameters and at least one step runs",
    "raises forget loss": "check the sign of the forget term, or raise the default lr/epochs",
    "deterministic": "draw randomness only from request.generator(stream) or torch's seeded global RNG; "
                     "no time- or hash()-based choices",
    "obeys the deadline": "check request.out_of_time() before every step or pass (bench.loops.run_steps does)",
    "hyperparameters": "take hyperparameters only as constructor keyword arguments with JSON-able defaults, "
                       "stored as attributes of the same names",
    "name": "set the class attribute `name` to the string given to @register_method",
    "unique name": "register the method under a name no other method holds",
}


def check_on_task(runs: MethodRuns, check: str) -> CheckResult:
    """One named check of ``TASK_CHECKS`` on ``runs``; skipped when ``unlearn`` raised."""
    task = runs.setting.task.name
    if check != "runs" and runs.first.error:
        return CheckResult(check, SKIP, task, "no model to check (see `runs`)")
    if check in NEED_FINITE and _non_finite(runs.first.returned):
        return CheckResult(check, SKIP, task, "non-finite weights (see `finite weights`)")
    status, reason = TASK_CHECKS[check](runs)
    return CheckResult(check, status, task, reason, CHECK_FIXES[check])


def _hyperparameter_problem(name: str, method_cls: type[Method]) -> str:
    """Why the constructor does not hold JSON-able hyperparameters only ('' if it does)."""
    try:
        params = method_cls().get_params()
        json.dumps(params)
        if method_cls(**params).get_params() != params:
            return "get_params() does not round-trip through the constructor"
        if method_cls.from_params("method", name, params).get_params() != params:
            return "from_params(get_params()) does not round-trip"
    except Exception as exc:
        return describe(exc)
    return ""


def check_class(name: str, method_cls: type) -> list[CheckResult]:
    """Checks that need no task: a ``bench.Method`` registered under its own ``name``, whose
    constructor holds JSON-able hyperparameters that round-trip through ``from_params``."""
    if not (isinstance(method_cls, type) and issubclass(method_cls, Method)):
        return [CheckResult("hyperparameters", FAIL, None, f"{method_cls!r} is not a bench.Method subclass",
                            "subclass bench.Method")]
    problem = _hyperparameter_problem(name, method_cls)
    named = method_cls.name == name
    return [
        CheckResult("hyperparameters", FAIL if problem else PASS, None, problem, CHECK_FIXES["hyperparameters"]),
        CheckResult("name", PASS if named else FAIL, None, f"{method_cls.__qualname__}.name is {method_cls.name!r}",
                    CHECK_FIXES["name"]),
    ]


def check_method(name: str, method_cls: type, settings: Iterator[Setting]) -> Iterator[CheckResult]:
    """Every check of a method, class checks first, then each setting's task checks; results
    come as they are known, so a caller can print them while the rest run."""
    class_results = check_class(name, method_cls)
    yield from class_results
    if not all(r.passed for r in class_results):
        return
    for setting in settings:
        runs = MethodRuns(method_cls, setting)
        for check in TASK_CHECKS:
            yield check_on_task(runs, check)
