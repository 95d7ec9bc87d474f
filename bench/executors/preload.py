"""What a job process loads before its first job, so that no cell pays for it.

A fresh interpreter imports torch, and a cell's first use of the library imports more:
scikit-learn and SciPy (the attacks), every task module a code hash reaches (with its own
dependencies: torch_geometric for the molecule tasks). Measured on the 2-core machine, that is
about 3 s for the emoji tasks (torch 1.5 s, scikit-learn 1.3 s), and when it happened inside a
cell it was counted as the cell's time (or, inside the timed unlearning call, as the method's).
``preload`` does it all up front, in the worker process before any job: its cost becomes the
harness's, where it belongs, and a fork server (``bench.executors.process``) pays it once for
all the jobs of its slot.

Preloading only imports and hashes source files: it starts no thread, so the process may fork.
"""

from __future__ import annotations

import os
from typing import Iterable


def preload(tasks: Iterable[str] = (), attacks: bool = True) -> None:
    """Imports torch, the worker's code, every built-in and plugin method (and attack, unless
    ``attacks`` is False: ``preload_attacks`` then follows), and the ``tasks`` named (with their
    code hashes, which every group computes). An entry that fails to import is left for its
    job, which reports the failure as its own."""
    import bench  # noqa: F401  (sets OMP_WAIT_POLICY before torch loads)
    import torch  # noqa: F401

    import bench.executors.worker  # noqa: F401  (the registries, the cell code)
    from bench.registry import METHODS, TASKS
    from bench.source import code_hash

    for name in METHODS.names():
        _try(METHODS.get, name)
    if attacks:
        preload_attacks()
    for name in tasks:
        task = _try(TASKS.get, name)
        if task is not None:
            code_hash(task)


def preload_attacks() -> None:
    """Imports every built-in and plugin attack (scikit-learn and SciPy with them: ~1.3 s the
    first time), which cells use and a group's preparation does not."""
    from bench.registry import ATTACKS

    for name in ATTACKS.names():
        _try(ATTACKS.get, name)


def set_threads() -> None:
    """This process's torch threads, from the slot's ``OMP_NUM_THREADS``."""
    import torch

    if "OMP_NUM_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _try(load, name: str):
    try:
        return load(name)
    except Exception:  # noqa: BLE001  (its job will fail with the reason, as without a preload)
        return None
