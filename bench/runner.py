"""The inline runner: turns cells into records, one isolated cell at a time.

Cells that share (task, seed, forget split) share one prepared task, one original model and
one retrained reference, trained once and cached (bench.cache). Each cell works on its own copy
of the original; an exception, non-finite weights or an exceeded budget mark its record failed
with the reason, and the grid goes on. Only this driver writes the store.
"""

from __future__ import annotations

import copy
import math
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch
from tqdm.auto import tqdm

from bench.attack import AttackContext
from bench.cache import CachedModel, ModelCache
from bench.directions import HIGHER, LOWER
from bench.manifest import build_manifest, source_hash
from bench.measure import measure_cost
from bench.record import FAILED, FLAGGED, OK, Record
from bench.registry import ATTACKS, METHODS, TASKS
from bench.request import UnlearnRequest
from bench.spec import REFERENCE_METHOD, CellSpec
from bench.splits import Splits
from bench.store import Store
from bench.task import Task

COST_DIRECTIONS = {"cost.unlearn_s": LOWER, "cost.speedup": HIGHER, "cost.peak_rss_mb": LOWER,
                   "cost.peak_gpu_alloc_mb": LOWER, "cost.peak_gpu_reserved_mb": LOWER}


class CellFailure(Exception):
    """A cell-level failure with a reason the record should carry verbatim."""


@dataclass
class Group:
    task: Task
    splits: Splits
    original: CachedModel
    reference: CachedModel


@dataclass
class RunSummary:
    ok: int = 0
    failed: int = 0
    flagged: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, store: Store, cache_dir: Path | str, device: torch.device):
        self.store = store
        self.cache_dir = Path(cache_dir)
        self.models = ModelCache(self.cache_dir)
        self.device = device
        self._tasks: dict[tuple, Task] = {}  # prepared once, shared by every seed's group

    def run(self, cells: Sequence[CellSpec]) -> RunSummary:
        summary = RunSummary()
        groups: dict[tuple, list[CellSpec]] = defaultdict(list)
        for cell in cells:
            groups[cell.group_key()].append(cell)
        todo = []
        for members in groups.values():
            wanted = [members[0].reference(), *members]
            pending = [c for c in wanted if not self._done(c)]
            summary.skipped += len(wanted) - len(pending)
            if pending:
                todo.append(pending)
        bar = tqdm(total=sum(map(len, todo)), desc="cells", unit="cell", disable=None)
        for pending in todo:
            try:
                group = self._prepare(pending[0])
            except Exception as exc:  # the whole group fails with the reason, the grid goes on
                group, reason = None, _describe(exc)
            for cell in pending:
                record = self._run_cell(cell, group) if group else self._failed(cell, reason)
                self.store.put(record)
                summary.ok += record.status == OK
                summary.failed += record.status == FAILED
                summary.flagged += record.status == FLAGGED
                if record.status == FAILED:
                    summary.failures.append(f"{cell.task}/{cell.method}/seed {cell.seed}: {record.error}")
                bar.update()
                tqdm.write(f"  {cell.task:<20} {cell.method:<14} seed {cell.seed}: {record.status}"
                           + (f" ({record.error})" if record.error else ""))
        bar.close()
        return summary

    def _done(self, cell: CellSpec) -> bool:
        record = self.store.get(cell.cell_id)
        return record is not None and record.status == OK

    # -- per group -------------------------------------------------------------------------
    def _prepare(self, cell: CellSpec) -> Group:
        task = self._task(cell)
        splits = task.splits(cell.seed, cell.forget)
        recipe = task.recipe(cell.seed)
        base = {"task": cell.task, "task_params": cell.to_dict()["task_params"], "seed": cell.seed,
                "task_source": source_hash(type(task))}

        def trainer(indices, label):
            def train(model):
                loader = task.loader(indices, shuffle=True, seed=cell.seed)
                tqdm.write(f"training {label} model for {cell.task} (seed {cell.seed})")
                with measure_cost(self.device) as costs:
                    model = recipe.train(model.to(self.device), loader, self.device)
                _check_finite(model, f"{label} model")
                tqdm.write(f"  trained in {costs['cost.unlearn_s']:.0f} s")
                return model.cpu(), costs
            return train

        original = self.models.get_or_train("original", base, recipe.new_model,
                                            trainer(splits.train, "original"))
        reference = self.models.get_or_train(
            "retrain", {**base, "forget": cell.forget.to_dict(), "forget_hash": splits.forget_hash()},
            recipe.new_model, trainer(splits.retain, "retrain"))
        # Moved to the device once per group: cells copy from here, attacks read it as is.
        original.model.to(self.device)
        reference.model.to(self.device)
        return Group(task, splits, original, reference)

    def _task(self, cell: CellSpec) -> Task:
        key = (cell.task, cell.task_params)
        if key not in self._tasks:
            task = TASKS.get(cell.task)(**cell.to_dict()["task_params"])
            task.prepare(self.cache_dir)
            self._tasks[key] = task
        return self._tasks[key]

    # -- per cell --------------------------------------------------------------------------
    def _run_cell(self, cell: CellSpec, group: Group) -> Record:
        method_cls = None if cell.method == REFERENCE_METHOD else METHODS.get(cell.method)
        started = time.perf_counter()
        metrics: dict[str, float] = {}
        directions = dict(group.task.metric_directions())
        try:
            model, costs = self._unlearn(cell, method_cls, group)
            metrics.update(costs)
            metrics.update(group.task.evaluate(model, group.splits, self.device, cell.seed))
            context = AttackContext(group.task, group.splits, self.device, cell.seed)
            for name in cell.attacks:
                attack = ATTACKS.get(name)()
                metrics.update(attack.run(group.original.model, model, group.splits, context))
                directions.update(attack.directions)
            non_finite = sorted(k for k, v in metrics.items() if not math.isfinite(v))
            status, error = (FLAGGED, f"non-finite metrics: {', '.join(non_finite)}") if non_finite else (OK, "")
        except Exception as exc:
            status, error = FAILED, _describe(exc)
        directions.update({k: v for k, v in COST_DIRECTIONS.items() if k in metrics})
        timings = {"cell_s": time.perf_counter() - started,
                   "original_train_s": group.original.train_s, "retrain_train_s": group.reference.train_s}
        manifest = build_manifest(device=self.device, method_cls=method_cls, task_cls=type(group.task),
                                  forget_hash=group.splits.forget_hash(), timings=timings)
        return Record(cell.cell_id, cell.to_dict(), status, error, metrics, directions, manifest)

    def _unlearn(self, cell: CellSpec, method_cls, group: Group) -> tuple[torch.nn.Module, dict]:
        if method_cls is None:  # the `original` reference row: no unlearning, no cost
            return group.original.model, {}
        reference_time = group.reference.train_s
        if getattr(method_cls, "reproduces_reference", False):
            # Retraining *is* the reference recipe: serve the cached model, costed as its training.
            costs = dict(group.reference.costs)
            model = group.reference.model  # only evaluated, never trained further
        else:
            method = method_cls(**cell.to_dict()["method_params"])
            request = self._request(cell, group)
            model = copy.deepcopy(group.original.model)  # each method gets its own copy
            torch.manual_seed(cell.seed)
            with measure_cost(self.device) as costs:
                model = method.unlearn(model, request)
        _check_finite(model, "unlearned model")
        if costs["cost.unlearn_s"] > cell.budget_s:
            raise CellFailure(f"exceeded its budget: {costs['cost.unlearn_s']:.1f} s > {cell.budget_s:.0f} s")
        costs["cost.speedup"] = reference_time / max(costs["cost.unlearn_s"], 1e-9)
        return model.eval(), costs

    def _request(self, cell: CellSpec, group: Group) -> UnlearnRequest:
        task, splits, size = group.task, group.splits, group.task.unlearn_batch_size
        return UnlearnRequest(
            forget_loader=task.loader(splits.forget, shuffle=True, seed=cell.seed, batch_size=size),
            retain_loader=task.loader(splits.retain, shuffle=True, seed=cell.seed + 1, batch_size=size),
            val_loader=task.loader(splits.val, shuffle=False, seed=cell.seed, batch_size=size),
            device=self.device, seed=cell.seed, budget_s=cell.budget_s, recipe=task.recipe(cell.seed),
        )

    def _failed(self, cell: CellSpec, reason: str) -> Record:
        return Record(cell.cell_id, cell.to_dict(), FAILED, reason)


def _check_finite(model: torch.nn.Module, what: str) -> None:
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise CellFailure(f"{what} has non-finite weights in {name}")


def _describe(exc: Exception) -> str:
    if isinstance(exc, CellFailure):
        return str(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
