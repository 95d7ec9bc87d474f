"""One cell on its prepared group: unlearn, evaluate, attack, and the record of it all.

Each cell works on its own copy of the original, under its own seed and deterministic kernels;
an exception, non-finite weights or a budget overrun mark its record failed with the reason. A
failing attack loses only its own metrics (the record is flagged).
"""

from __future__ import annotations

import copy
import math
import time
from contextlib import contextmanager
from typing import Callable

import numpy as np
import torch

from bench.attack import AttackContext
from bench.cell_checks import check_finite, relative_distance
from bench.directions import HIGHER, INFO, LOWER
from bench.errors import CellFailure, describe
from bench.executors.group import Group
from bench.manifest import build_manifest
from bench.measure import measure_cost
from bench.method_file import method_class
from bench.precision import autocast
from bench.record import ATTACK_FAILED, EARLY_STOP, FAILED, FLAGGED, NON_FINITE, OK, Record
from bench.registry import ATTACKS
from bench.request import UnlearnRequest
from bench.seeding import deterministic, seed_everything
from bench.spec import REFERENCE_METHOD, CellSpec

HARNESS_DIRECTIONS = {"cost.unlearn_s": LOWER, "cost.speedup": HIGHER, "cost.peak_rss_mb": LOWER,
                      "cost.peak_gpu_alloc_mb": LOWER, "cost.peak_gpu_reserved_mb": LOWER,
                      "delta.l2": INFO}

#: ``arm(limit_s)`` before the unlearning call, ``arm(None)`` after it: an executor that can
#: terminate the process (``local``) enforces the hard limit while the method runs.
Arm = Callable[[float | None], None]


@contextmanager
def _timed(into: dict[str, float], key: str):
    """Adds the seconds the block took to ``into[key]``, also when it raises."""
    started = time.perf_counter()
    try:
        yield
    finally:
        into[key] = into.get(key, 0.0) + time.perf_counter() - started


def unarmed(limit_s: float | None) -> None:
    """Inline: nothing can stop the method from outside, so the limit is checked afterwards."""


class CellRun:
    def __init__(self, cell: CellSpec, group: Group, limit_s: float, arm: Arm = unarmed):
        self.cell, self.group, self.limit_s, self.arm = cell, group, limit_s, arm
        self.method_cls = None if cell.method == REFERENCE_METHOD else method_class(cell.method, cell.method_file)

    def record(self) -> Record:
        cell, group = self.cell, self.group
        started = time.perf_counter()
        metrics: dict[str, float] = {}
        directions = dict(group.task.metric_directions())
        flags: list[str] = []
        errors: list[str] = []
        stages: dict[str, float] = {}  # seconds of evaluation and of each attack
        try:
            with deterministic(), autocast(cell.precision, group.device):
                seed_everything(cell.seed)
                model, costs, stopped_early = self._unlearn()
                metrics.update(costs)
                metrics["delta.l2"] = relative_distance(model, group.original.model)
                seed_everything(cell.seed)
                with _timed(stages, "evaluate_s"):
                    metrics.update(group.task.evaluate(model, group.splits, group.device, cell.seed))
                if stopped_early:
                    flags.append(EARLY_STOP)
                context = AttackContext(group.task, group.splits, group.device, cell.seed,
                                        reference=group.reference.model, train_shadow=group.train_shadow,
                                        unlearn=self._unlearn_split, memo=group.attack_memo)
                for name, params in cell.attack_params.items():
                    attack = ATTACKS.get(name)(**params)
                    directions.update(attack.directions)
                    try:
                        seed_everything(cell.seed)
                        with _timed(stages, f"attack_{name}_s"):
                            metrics.update(attack.run(group.original.model, model, group.splits, context))
                    except Exception as exc:  # only this attack's metrics are lost
                        flags.append(ATTACK_FAILED)
                        errors.append(f"attack {name}: {describe(exc)}")
            non_finite = sorted(k for k, v in metrics.items() if not math.isfinite(v))
            if non_finite:
                flags.append(NON_FINITE)
                errors.append(f"non-finite metrics: {', '.join(non_finite)}")
            status = FLAGGED if flags else OK
        except Exception as exc:
            status, errors = FAILED, [describe(exc)]
        directions.update({k: v for k, v in HARNESS_DIRECTIONS.items() if k in metrics})
        timings = {"cell_s": time.perf_counter() - started, **stages,
                   "original_train_s": group.original.train_s, "retrain_train_s": group.reference.train_s}
        manifest = build_manifest(
            device=group.device, method_cls=self.method_cls, task_cls=type(group.task),
            forget_hash=group.splits.forget_hash(), timings=timings, budget_s=cell.budget_s,
            reference_time="cache" if group.reference.from_cache else "measured")
        return Record(cell.cell_id, cell.to_dict(), status, "; ".join(errors), metrics, directions,
                      manifest, sorted(set(flags)))

    def _unlearn(self) -> tuple[torch.nn.Module, dict, bool]:
        cell, group, method_cls = self.cell, self.group, self.method_cls
        if method_cls is None:  # the `original` reference row: no unlearning, no cost
            return group.original.model, {}, False
        if method_cls.reproduces_reference:
            # Retraining *is* the reference recipe: serve the cached model, costed as its
            # training; it has no budget to exceed (the reference must exist).
            costs = dict(group.reference.costs)
            costs["cost.speedup"] = 1.0
            return group.reference.model, costs, False
        method = method_cls(**cell.to_dict()["method_params"])
        # One request, or a sequential spec's requests in turn, each step's model the next
        # one's input; the budget and the cost cover them all.
        requests = [self._request(method_cls.needs_full_train, forget, retain)
                    for forget, retain in group.splits.steps()]
        model = copy.deepcopy(group.original.model)  # each method gets its own copy
        self.arm(self.limit_s)
        with measure_cost(group.device) as costs:
            started = time.perf_counter()  # the deadline and the cost share one clock
            for request in requests:
                request.started_at = started
                model = method.unlearn(model, request)
        self.arm(None)
        check_finite(model, "unlearned model")
        if costs["cost.unlearn_s"] > self.limit_s:
            raise CellFailure(f"exceeded its budget: {costs['cost.unlearn_s']:.1f} s > "
                              f"{cell.budget_s:.0f} s + {self.limit_s - cell.budget_s:.0f} s grace")
        costs["cost.speedup"] = group.reference.train_s / max(costs["cost.unlearn_s"], 1e-9)
        return model.eval(), costs, any(request.stopped_early for request in requests)

    def _unlearn_split(self, model: torch.nn.Module, forget: np.ndarray,
                       retain: np.ndarray) -> tuple[torch.nn.Module, float]:
        """The cell's method on a copy of ``model`` with another forget/retain split (shadow
        models for U-LiRA); returns the model and the seconds it took."""
        if self.method_cls is None:
            return model, 0.0
        started = time.perf_counter()
        if self.method_cls.reproduces_reference:
            out = self.group.train_shadow("retrain", retain)
        else:
            request = self._request(self.method_cls.needs_full_train, forget, retain)
            out = self.method_cls(**self.cell.to_dict()["method_params"]).unlearn(copy.deepcopy(model), request)
        return out.eval(), time.perf_counter() - started

    def _request(self, full_train: bool, forget: np.ndarray | None = None,
                 retain: np.ndarray | None = None) -> UnlearnRequest:
        cell, group = self.cell, self.group
        task, size = group.task, group.task.unlearn_batch_size
        forget = group.splits.forget if forget is None else forget
        retain = group.splits.retain if retain is None else retain
        return UnlearnRequest(
            forget_loader=task.loader(forget, shuffle=True, seed=cell.seed, batch_size=size),
            retain_loader=task.loader(retain, shuffle=True, seed=cell.seed + 1, batch_size=size),
            val_loader=task.loader(group.splits.val, shuffle=False, seed=cell.seed, batch_size=size),
            device=group.device, seed=cell.seed, budget_s=cell.budget_s, recipe=task.recipe(cell.seed),
            forget_indices=np.array(forget), retain_indices=np.array(retain), pairs=task.pair_batch,
            full_train_loader=task.loader(np.union1d(forget, retain), shuffle=True, seed=cell.seed + 2,
                                          batch_size=size) if full_train else None,
        )
