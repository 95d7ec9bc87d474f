"""Executors: where a run's JSON jobs execute (``unlearnbench run --executor``).

``inline`` runs them in the driver's process; ``local`` in a pool of fresh processes on this
machine. The driver (``bench.runner``) is the same for all: it plans the jobs, ingests their
results and alone writes the store.
"""

from __future__ import annotations

from bench.executors.base import Executor

EXECUTORS = ("inline", "local")


def make_executor(name: str, *, device: str = "cpu", workers: int | None = None,
                  threads: int | None = None) -> Executor:
    if name == "inline":
        from bench.executors.inline import InlineExecutor

        return InlineExecutor()
    if name == "local":
        from bench.executors.local import LocalExecutor

        return LocalExecutor.for_device(device, workers, threads)
    raise ValueError(f"unknown executor {name!r}; one of {', '.join(EXECUTORS)}")
