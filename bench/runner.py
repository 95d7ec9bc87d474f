"""The inline runner: turns cells into records, one isolated cell at a time.

Cells that share (task, seed, forget split, device) share one prepared task, one original model
and one retrained reference, trained once and cached (bench.cache). Each cell works on its own
copy of the original, under its own seed and deterministic kernels; an exception, non-finite
weights or a budget overrun mark its record failed with the reason, and the grid goes on. A
failing attack loses only its own metrics (the record is flagged). Only this driver writes the
store.
"""

from __future__ import annotations

import copy
import hashlib
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

import torch
from tqdm.auto import tqdm

from bench.attack import AttackContext
from bench.cache import CachedModel, ModelCache
from bench.cell_checks import check_finite, relative_distance
from bench.directions import HIGHER, INFO, LOWER
from bench.errors import CellFailure, describe
from bench.manifest import build_manifest
from bench.measure import measure_cost
from bench.method_file import method_class
from bench.record import ATTACK_FAILED, EARLY_STOP, FAILED, FLAGGED, NON_FINITE, OK, Record
from bench.registry import ATTACKS, TASKS
from bench.request import UnlearnRequest
from bench.seeding import deterministic, seed_everything
from bench.source import code_hash
from bench.spec import REFERENCE_METHOD, CellSpec, spec_hash
from bench.splits import Splits
from bench.store import Store
from bench.task import Task

HARNESS_DIRECTIONS = {"cost.unlearn_s": LOWER, "cost.speedup": HIGHER, "cost.peak_rss_mb": LOWER,
                      "cost.peak_gpu_alloc_mb": LOWER, "cost.peak_gpu_reserved_mb": LOWER,
                      "delta.l2": INFO}


def grace_s(budget_s: float) -> float:
    """How far past its soft deadline a method may finish before its cell fails: a method that
    checks ``seconds_left()`` between steps still needs its final step or evaluation pass."""
    return max(30.0, 0.1 * budget_s)


@dataclass
class Group:
    task: Task
    splits: Splits
    device: torch.device
    original: CachedModel
    reference: CachedModel
    train_shadow: Callable[[str, np.ndarray], torch.nn.Module]


@dataclass
class RunSummary:
    ok: int = 0
    failed: int = 0
    flagged: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    cells_s: float = 0.0  # inside cells: unlearning, evaluation, attacks (their shadow models too)
    trained: dict[str, int] = field(default_factory=dict)  # models trained, by kind
    loaded: dict[str, int] = field(default_factory=dict)  # models served from the cache, by kind
    train_s: float = 0.0  # seconds spent training models outside cells (originals, references)

    @property
    def harness_s(self) -> float:
        """Wall time outside model training and cells: data preparation, loaders, the store."""
        return max(0.0, self.wall_s - self.cells_s - self.train_s)

    def cost_lines(self) -> list[str]:
        def counts(by_kind: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(by_kind.items())) or "none"

        share = self.harness_s / self.wall_s if self.wall_s else 0.0
        return [f"models trained: {counts(self.trained)}; loaded from the cache: {counts(self.loaded)}",
                f"wall {self.wall_s:.0f} s: training {self.train_s:.0f} s, cells {self.cells_s:.0f} s, "
                f"harness {self.harness_s:.0f} s ({share:.1%})"]


class Runner:
    def __init__(self, store: Store, cache_dir: Path | str):
        self.store = store
        self.cache_dir = Path(cache_dir)
        self.models = ModelCache(self.cache_dir)
        self._tasks: dict[tuple, Task] = {}  # prepared once, shared by every seed's group

    def run(self, cells: Sequence[CellSpec]) -> RunSummary:
        started = time.perf_counter()
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
                group, reason = None, describe(exc)
            for cell in pending:
                record = self._run_cell(cell, group) if group else self._failed(cell, reason)
                self.store.put(record)
                summary.ok += record.status == OK
                summary.failed += record.status == FAILED
                summary.flagged += record.status == FLAGGED
                if record.status == FAILED:
                    summary.failures.append(f"{cell.task}/{cell.method}/seed {cell.seed}: {record.error}")
                summary.cells_s += record.manifest.get("timings", {}).get("cell_s", 0.0)
                bar.update()
                tqdm.write(f"  {cell.task:<20} {cell.method:<14} seed {cell.seed}: {record.status}"
                           + (f" ({record.error})" if record.error else ""))
        bar.close()
        summary.wall_s = time.perf_counter() - started
        summary.trained, summary.loaded = dict(self.models.trained), dict(self.models.loaded)
        # Shadow models train inside cells (their attack's time), so only the rest counts here.
        summary.train_s = sum(s for kind, s in self.models.train_s.items() if kind != "shadow")
        return summary

    def _done(self, cell: CellSpec) -> bool:
        record = self.store.get(cell.cell_id)
        return record is not None and record.status in (OK, FLAGGED)

    # -- per group -------------------------------------------------------------------------
    def _prepare(self, cell: CellSpec) -> Group:
        task = self._task(cell)
        device = torch.device(cell.device)
        splits = task.splits(cell.seed, cell.forget)
        recipe = task.recipe(cell.seed)
        # The original never depends on the forget spec: every deletion request of a seed
        # starts from the same model.
        base = {"task": cell.task, "task_params": cell.to_dict()["task_params"], "seed": cell.seed,
                "code": code_hash(type(task)), "device": cell.device, "precision": cell.precision}

        def train_cached(kind: str, extra: dict, indices, label: str, new_model) -> CachedModel:
            def train(model):
                tqdm.write(f"training {label} model for {cell.task} (seed {cell.seed})")
                with measure_cost(device) as costs, deterministic():
                    model = recipe.train(model.to(device), indices, device)
                check_finite(model, f"{label} model")
                tqdm.write(f"  trained in {costs['cost.unlearn_s']:.0f} s")
                return model.cpu(), costs

            cached = self.models.get_or_train(kind, {**base, **extra}, new_model, train)
            cached.model.to(device)  # once per group: cells copy from here, attacks read it as is
            return cached

        def train_shadow(name: str, indices) -> torch.nn.Module:
            """A model of the recipe on ``indices``, from its own seeded initialisation."""
            indices = np.sort(np.asarray(indices, dtype=np.int64))
            key = {"shadow": name, "indices": hashlib.sha256(indices.tobytes()).hexdigest()[:16]}
            # Seeded by the name *and* the data, so shadows of one name differ in their init too.
            generator = torch.Generator().manual_seed(int(spec_hash([cell.seed, name, key["indices"]])[:12], 16))
            return train_cached("shadow", key, indices, f"shadow {name}",
                                lambda: recipe.new_model(generator)).model

        original = train_cached("original", {}, splits.train, "original", recipe.initial_model)
        reference = train_cached(
            "retrain", {"forget": cell.forget.to_dict(), "forget_hash": splits.forget_hash()},
            splits.retain, "retrain", recipe.initial_model)
        return Group(task, splits, device, original, reference, train_shadow)

    def _task(self, cell: CellSpec) -> Task:
        key = (cell.task, cell.task_params)
        if key not in self._tasks:
            task = TASKS.get(cell.task)(**cell.to_dict()["task_params"])
            task.prepare(self.cache_dir)
            self._tasks[key] = task
        return self._tasks[key]

    # -- per cell --------------------------------------------------------------------------
    def _run_cell(self, cell: CellSpec, group: Group) -> Record:
        method_cls = None if cell.method == REFERENCE_METHOD else method_class(cell.method, cell.method_file)
        started = time.perf_counter()
        metrics: dict[str, float] = {}
        directions = dict(group.task.metric_directions())
        flags: list[str] = []
        errors: list[str] = []
        status = OK
        try:
            with deterministic():
                seed_everything(cell.seed)
                model, costs, stopped_early = self._unlearn(cell, method_cls, group)
                metrics.update(costs)
                metrics["delta.l2"] = relative_distance(model, group.original.model)
                seed_everything(cell.seed)
                metrics.update(group.task.evaluate(model, group.splits, group.device, cell.seed))
                if stopped_early:
                    flags.append(EARLY_STOP)
                context = AttackContext(group.task, group.splits, group.device, cell.seed,
                                        reference=group.reference.model, train_shadow=group.train_shadow,
                                        unlearn=lambda m, f, r: self._unlearn_split(cell, method_cls, group, m, f, r))
                for name, params in cell.attack_params.items():
                    attack = ATTACKS.get(name)(**params)
                    directions.update(attack.directions)
                    try:
                        seed_everything(cell.seed)
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
        timings = {"cell_s": time.perf_counter() - started,
                   "original_train_s": group.original.train_s, "retrain_train_s": group.reference.train_s}
        manifest = build_manifest(
            device=group.device, method_cls=method_cls, task_cls=type(group.task),
            forget_hash=group.splits.forget_hash(), timings=timings, budget_s=cell.budget_s,
            reference_time="cache" if group.reference.from_cache else "measured")
        return Record(cell.cell_id, cell.to_dict(), status, "; ".join(errors), metrics, directions,
                      manifest, sorted(set(flags)))

    def _unlearn(self, cell: CellSpec, method_cls, group: Group) -> tuple[torch.nn.Module, dict, bool]:
        if method_cls is None:  # the `original` reference row: no unlearning, no cost
            return group.original.model, {}, False
        if method_cls.reproduces_reference:
            # Retraining *is* the reference recipe: serve the cached model, costed as its
            # training; it has no budget to exceed (the reference must exist).
            costs = dict(group.reference.costs)
            costs["cost.speedup"] = 1.0
            return group.reference.model, costs, False
        method = method_cls(**cell.to_dict()["method_params"])
        request = self._request(cell, group, method_cls.needs_full_train)
        model = copy.deepcopy(group.original.model)  # each method gets its own copy
        with measure_cost(group.device) as costs:
            request.started_at = time.perf_counter()  # the deadline and the cost share one clock
            model = method.unlearn(model, request)
        check_finite(model, "unlearned model")
        limit = cell.budget_s + grace_s(cell.budget_s)
        if costs["cost.unlearn_s"] > limit:
            raise CellFailure(f"exceeded its budget: {costs['cost.unlearn_s']:.1f} s > "
                              f"{cell.budget_s:.0f} s + {grace_s(cell.budget_s):.0f} s grace")
        costs["cost.speedup"] = group.reference.train_s / max(costs["cost.unlearn_s"], 1e-9)
        return model.eval(), costs, request.stopped_early

    def _unlearn_split(self, cell: CellSpec, method_cls, group: Group, model: torch.nn.Module,
                       forget: np.ndarray, retain: np.ndarray) -> tuple[torch.nn.Module, float]:
        """The cell's method on a copy of ``model`` with another forget/retain split (shadow
        models for U-LiRA); returns the model and the seconds it took."""
        if method_cls is None:
            return model, 0.0
        started = time.perf_counter()
        if method_cls.reproduces_reference:
            out = group.train_shadow("retrain", retain)
        else:
            request = self._request(cell, group, method_cls.needs_full_train, forget, retain)
            out = method_cls(**cell.to_dict()["method_params"]).unlearn(copy.deepcopy(model), request)
        return out.eval(), time.perf_counter() - started

    def _request(self, cell: CellSpec, group: Group, full_train: bool, forget: np.ndarray | None = None,
                 retain: np.ndarray | None = None) -> UnlearnRequest:
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

    def _failed(self, cell: CellSpec, reason: str) -> Record:
        return Record(cell.cell_id, cell.to_dict(), FAILED, reason)
