"""The executor interface: JSON jobs in, JSON results out, follow-up jobs as results arrive.

The driver (``bench.runner``) hands an executor its first jobs (one ``prepare_group`` per cell
group) and a callback; each finished job's outcome goes to the callback, which returns the jobs
it unlocks (a prepared group's cells). Follow-ups go to the front of the queue: a group's cells
run before the next group is prepared, so the inline executor holds one group at a time, while
a pool with free workers prepares several groups at once. Torch-free, like ``local``'s parent
side: a worker process sets its thread and device environment before torch loads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

PREPARE_GROUP, RUN_CELL = "prepare_group", "run_cell"


@dataclass
class Job:
    kind: str  # PREPARE_GROUP or RUN_CELL
    payload: dict[str, Any]  # JSON-able (bench.executors.payload)
    tag: Any = field(default=None, compare=False)  # the driver's own handle; never sent


@dataclass
class Outcome:
    """A job's result, or why there is none (it raised, its process died, it was terminated)."""

    result: dict[str, Any] | None = None
    error: str = ""
    #: Where and when it ran, as the executor saw it (for the record's manifest): e.g. the
    #: slot, its visible devices, and the wall-clock start and end of the process.
    worker: dict[str, Any] = field(default_factory=dict)


#: ``on_done(job, outcome) -> follow-up jobs``
OnDone = Callable[[Job, Outcome], Iterable[Job]]


class Executor(ABC):
    name: str = ""
    workers: int = 1  # jobs that run at once: the summary's capacity is wall time x workers

    @abstractmethod
    def run(self, jobs: Iterable[Job], on_done: OnDone) -> None:
        """Runs ``jobs`` and every follow-up ``on_done`` returns, until none is left."""
