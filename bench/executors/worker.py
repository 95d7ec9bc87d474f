"""The two JSON jobs the driver hands out, and what one worker process keeps between them.

``prepare_group(payload) -> {"models": counts, "data_s": s}`` trains or loads the original and
the reference of a cell's group into the model cache; ``run_cell(payload) -> {"record": ...,
"models": counts, "data_s": s}`` runs one cell. ``counts`` are the models this job trained or
loaded (by kind) and the seconds of that training; ``data_s`` the seconds it spent preparing a
task's data (``Task.prepare``: decoding images, featurizing molecules, encoding captions), so
the driver can add up what every process did and tell both from the harness's own time.

The inline executor keeps one ``Worker`` for the whole run (a group prepared once serves all its
cells); the local executor (and Ray and Slurm, through it) runs each job in a process of its own,
forked from a server whose ``Worker`` has prepared the job's task (once for all the server's
jobs): the job loads its group from the model cache, the price of a peak memory that is the
cell's own. Warm local workers (``run --warm``) keep one ``Worker`` per process, like inline.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.cache import ModelCache
from bench.errors import describe
from bench.executors.cell import Arm, CellRun, unarmed
from bench.executors.group import Group, build_group
from bench.executors.payload import payload_cell, record_payload
from bench.record import FAILED, Record
from bench.registry import TASKS
from bench.spec import CellSpec
from bench.task import DATA_DIR, Task


class Worker:
    def __init__(self):
        self._tasks: dict[tuple, Task] = {}  # prepared once, shared by every seed's group
        self._group: tuple[tuple, Group] | None = None  # the last group: its cells come in a row
        self._caches: dict[str, ModelCache] = {}
        self._data_s = 0.0  # seconds of Task.prepare in this process so far

    def prepare_task(self, payload: dict[str, Any]) -> float:
        """Prepares the task of a payload's cell, unless this worker has, and lets go of any
        other: the seconds it took. A fork server's: its children inherit the task, and their
        memory figures count it, so it holds their task alone."""
        key = task_key(payload)
        self._tasks = {key: self._tasks[key]} if key in self._tasks else {}
        before = self._data_s
        self._task(payload_cell(payload), payload)
        return self._data_s - before

    def prepare_group(self, payload: dict[str, Any]) -> dict[str, Any]:
        models = self._cache(payload)
        before, data_before = _snapshot(models), self._data_s
        self._prepared(payload_cell(payload), payload, models)
        return {"models": _delta(before, _snapshot(models)), "data_s": self._data_s - data_before}

    def run_cell(self, payload: dict[str, Any], arm: Arm = unarmed) -> dict[str, Any]:
        cell = payload_cell(payload)
        models = self._cache(payload)
        before, data_before = _snapshot(models), self._data_s
        try:
            run = CellRun(cell, self._prepared(cell, payload, models), payload["limit_s"], arm)
            record = run.record()
        except Exception as exc:  # the group or the method file failed to load: this cell fails
            record = Record(cell.cell_id, cell.to_dict(), FAILED, describe(exc))
        return {"record": record_payload(record), "models": _delta(before, _snapshot(models)),
                "data_s": self._data_s - data_before}

    def _prepared(self, cell: CellSpec, payload: dict[str, Any], models: ModelCache) -> Group:
        key = (payload["cache_dir"], cell.group_key())
        if self._group is None or self._group[0] != key:
            self._group = None  # free the previous group's models before loading the next
            self._group = (key, build_group(cell, self._task(cell, payload), models))
        return self._group[1]

    def _task(self, cell: CellSpec, payload: dict[str, Any]) -> Task:
        key, cache_dir = task_key(payload), Path(payload["cache_dir"])
        if key not in self._tasks:
            located = {DATA_DIR: cell.data_dir} if cell.data_dir is not None else {}
            task = TASKS.get(cell.task)(**cell.to_dict()["task_params"], **located)
            started = time.perf_counter()
            task.prepare(cache_dir)
            self._data_s += time.perf_counter() - started
            self._tasks[key] = task
        return self._tasks[key]

    def _cache(self, payload: dict[str, Any]) -> ModelCache:
        return self._caches.setdefault(payload["cache_dir"], ModelCache(payload["cache_dir"]))


def task_key(payload: dict[str, Any]) -> tuple:
    """Which prepared task a payload's cell needs: its name, parameters and cache dir."""
    cell = payload["cell"]
    return cell["task"], json.dumps(cell["task_params"], sort_keys=True), payload["cache_dir"]


def _snapshot(models: ModelCache) -> tuple[Counter, Counter, Counter]:
    return Counter(models.trained), Counter(models.loaded), Counter(models.train_s)


def _delta(before: tuple, after: tuple) -> dict[str, dict[str, float]]:
    trained, loaded, train_s = (dict(a - b) for a, b in zip(after, before))
    return {"trained": trained, "loaded": loaded, "train_s": train_s}
