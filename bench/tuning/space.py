"""Search spaces: what ``unlearnbench tune`` may vary, declared by each method next to its
defaults as a class attribute::

    search_space = {"lr": ("log", 1e-5, 1e-3), "epochs": ("int", 1, 4)}

Kinds: ``log`` (a float drawn log-uniformly), ``float`` (uniformly) and ``int`` (an integer,
uniformly); bounds are inclusive. A method without ``search_space`` has nothing to tune (e.g.
``retrain``). ``space_problems`` is the contract every declaration must meet: real constructor
parameters, low < high, within ``param_bounds``, and the default inside the range (the
defaults are every study's first trial, so tuning never starts from outside the space).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

KINDS = ("log", "float", "int")


@dataclass(frozen=True)
class Dimension:
    name: str
    kind: str
    low: float
    high: float

    def suggest(self, trial: Any) -> float | int:
        """A value from an Optuna trial (an enqueued trial returns its fixed value)."""
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high))
        return trial.suggest_float(self.name, float(self.low), float(self.high), log=self.kind == "log")

    def contains(self, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and self.low <= value <= self.high


def search_space(method_cls: type) -> list[Dimension]:
    """The method's dimensions, in declaration order (empty: nothing to tune)."""
    return [Dimension(name, *spec) for name, spec in getattr(method_cls, "search_space", {}).items()]


def defaults_in_space(method_cls: type) -> dict[str, Any]:
    """The constructor defaults of the tuned parameters: the first trial of every study."""
    signature = inspect.signature(method_cls.__init__).parameters
    return {d.name: signature[d.name].default for d in search_space(method_cls)}


def space_problems(method_cls: type) -> list[str]:
    """What is wrong with a method's declared search space, one line each (empty: fine)."""
    raw = getattr(method_cls, "search_space", {})
    if not isinstance(raw, dict):
        return [f"search_space must be a dict name -> (kind, low, high), got {type(raw).__name__}"]
    signature = inspect.signature(method_cls.__init__).parameters
    problems = []
    for name, spec in raw.items():
        if name not in signature or name == "self":
            problems.append(f"{name}: not a constructor parameter")
            continue
        if not (isinstance(spec, tuple) and len(spec) == 3 and spec[0] in KINDS):
            problems.append(f"{name}: expected (kind, low, high) with kind one of {', '.join(KINDS)}, got {spec!r}")
            continue
        kind, low, high = spec
        if not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and low < high):
            problems.append(f"{name}: needs numbers low < high, got {low!r}, {high!r}")
            continue
        if kind == "int" and not (isinstance(low, int) and isinstance(high, int)):
            problems.append(f"{name}: an int range needs integer bounds, got {low!r}, {high!r}")
        if kind == "log" and low <= 0:
            problems.append(f"{name}: a log range needs low > 0, got {low!r}")
        bound_low, bound_high = method_cls.param_bounds.get(name, (None, None))
        if (bound_low is not None and low < bound_low) or (bound_high is not None and high > bound_high):
            problems.append(f"{name}: range [{low}, {high}] leaves param_bounds ({bound_low}, {bound_high})")
        default = signature[name].default
        if not Dimension(name, kind, low, high).contains(default):
            problems.append(f"{name}: default {default!r} is outside [{low}, {high}]")
        elif kind == "int" and not isinstance(default, int):
            problems.append(f"{name}: an int range for a non-integer default {default!r}")
    return problems
