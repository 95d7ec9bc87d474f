"""unlearnbench's core and the public surface for plugins.

Exports resolve lazily (PEP 562): ``import bench.record`` or ``bench.directions`` stays
torch-free, so the leaderboard and ``unlearnbench list`` do not pay for loading torch.
"""

import importlib
import os

# On 2-core machines torch's OpenMP threads spin-wait by default; under contention that made
# two threads ten times slower than one. This must be set before torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_EXPORTS = {
    "Attack": "bench.attack", "AttackContext": "bench.attack", "ForgetSpec": "bench.splits",
    "Method": "bench.method", "PairModel": "bench.pair_model", "Recipe": "bench.request",
    "Splits": "bench.splits", "Task": "bench.task", "UnlearnRequest": "bench.request",
    "register_attack": "bench.registry", "register_method": "bench.registry",
    "register_task": "bench.registry", "derangement": "bench.seeding", "build_seeded": "bench.seeding",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bench' has no attribute {name!r}")
