"""unlearnbench's core and the public surface for plugins."""

import os

# On 2-core machines torch's OpenMP threads spin-wait by default; under contention that made
# two threads ten times slower than one. This must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from bench.attack import Attack, AttackContext  # noqa: E402
from bench.method import Method  # noqa: E402
from bench.pair_model import PairModel  # noqa: E402
from bench.registry import register_attack, register_method, register_task  # noqa: E402
from bench.request import Recipe, UnlearnRequest  # noqa: E402
from bench.splits import ForgetSpec, Splits  # noqa: E402
from bench.task import Task  # noqa: E402

__all__ = [
    "Attack", "AttackContext", "ForgetSpec", "Method", "PairModel", "Recipe", "Splits", "Task",
    "UnlearnRequest", "register_attack", "register_method", "register_task",
]
