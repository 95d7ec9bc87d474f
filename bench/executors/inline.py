"""Every job in this process, one after the other (tests, debugging, a single small grid).

Payloads and results still go through JSON, so a job that works inline works in a pool. The
hard limit of a cell is checked after its method returns: nothing here can stop it earlier.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Iterable

from bench.errors import describe
from bench.executors.base import PREPARE_GROUP, Executor, Job, OnDone, Outcome


class InlineExecutor(Executor):
    name = "inline"

    def __init__(self):
        from bench.executors.worker import Worker

        self._worker = Worker()  # keeps the prepared group between its cells

    def run(self, jobs: Iterable[Job], on_done: OnDone) -> None:
        queue = deque(jobs)
        while queue:
            job = queue.popleft()
            payload = json.loads(json.dumps(job.payload))
            try:
                if job.kind == PREPARE_GROUP:
                    result = self._worker.prepare_group(payload)
                else:
                    result = self._worker.run_cell(payload)
                outcome = Outcome(json.loads(json.dumps(result)))
            except Exception as exc:
                outcome = Outcome(error=describe(exc))
            queue.extendleft(reversed(list(on_done(job, outcome))))
