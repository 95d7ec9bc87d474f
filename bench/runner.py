"""The driver of a run: plans the grid into JSON jobs, hands them to an executor, stores records.

Cells that share (task, seed, forget split, device) form a group: one ``prepare_group`` job
trains (or loads) its original and retrained reference into the model cache before any of its
cells' ``run_cell`` jobs start (``bench.executors``), so no two workers ever train the same
model. A cell whose record exists (ok or flagged) is skipped: rerunning an interrupted command
completes the grid. A failed job (an exception, non-finite weights, a budget overrun, a worker
that died or was terminated) becomes a failed record with the reason, and the grid goes on.
Only this driver writes the store, one transaction per record, as each result arrives.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

from tqdm.auto import tqdm

from bench.executors import Executor, make_executor
from bench.executors.base import PREPARE_GROUP, RUN_CELL, Job, Outcome
from bench.executors.payload import cell_payload, payload_record
from bench.record import FAILED, FLAGGED, OK, Record
from bench.spec import CellSpec
from bench.store import Store


def grace_s(budget_s: float) -> float:
    """How far past its soft deadline a method may finish before its cell fails: a method that
    checks ``seconds_left()`` between steps still needs its final step or evaluation pass."""
    return max(30.0, 0.1 * budget_s)


@dataclass
class RunSummary:
    ok: int = 0
    failed: int = 0
    flagged: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    workers: int = 1  # jobs that ran at once
    wall_s: float = 0.0
    cells_s: float = 0.0  # inside cells: unlearning, evaluation, attacks (their shadow models too)
    trained: dict[str, int] = field(default_factory=dict)  # models trained, by kind
    loaded: dict[str, int] = field(default_factory=dict)  # models served from the cache, by kind
    train_s: float = 0.0  # seconds spent training models outside cells (originals, references)
    data_s: float = 0.0  # seconds spent preparing tasks' data (Task.prepare), in every process
    busy_s: float = 0.0  # worker time with a job running (the executor's timestamps; inline: all of it)

    @property
    def harness_s(self) -> float:
        """Busy worker time outside model training, data preparation and cells: process
        starts, model loads, what crosses the process boundary."""
        return max(0.0, self.busy_s - self.cells_s - self.train_s - self.data_s)

    @property
    def idle_s(self) -> float:
        """Worker time (wall x workers) with no job running: a slot waiting for a ready job
        (a group's cells wait for its models; the grid's tail) or for the driver."""
        return max(0.0, self.wall_s * self.workers - self.busy_s)

    @property
    def harness_share(self) -> float:
        """``harness_s`` as a share of worker time (the ≤ 5% target of the benchmarks)."""
        return self._share(self.harness_s)

    @property
    def idle_share(self) -> float:
        return self._share(self.idle_s)

    def _share(self, seconds: float) -> float:
        capacity = self.wall_s * self.workers
        return seconds / capacity if capacity else 0.0

    def to_dict(self) -> dict:
        """Every field and the derived harness figures, JSON-able (``run --summary``)."""
        return {**asdict(self), **{name: getattr(self, name)
                                   for name in ("harness_s", "harness_share", "idle_s", "idle_share")}}

    def cost_lines(self) -> list[str]:
        def counts(by_kind: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(by_kind.items())) or "none"

        workers = f" x {self.workers} workers" if self.workers > 1 else ""
        return [f"models trained: {counts(self.trained)}; loaded from the cache: {counts(self.loaded)}",
                f"wall {self.wall_s:.0f} s{workers}: training {self.train_s:.0f} s, data preparation "
                f"{self.data_s:.0f} s, cells {self.cells_s:.0f} s, "
                f"harness {self.harness_s:.0f} s ({self.harness_share:.1%}), "
                f"idle {self.idle_s:.0f} s ({self.idle_share:.1%})"]


def plan(cells: Sequence[CellSpec], store: Store | None) -> list[list[tuple[CellSpec, Record | None]]]:
    """The grid by group, each group's ``original`` row first, with each cell's stored record
    (None when it never ran). ``store`` None: nothing has run."""
    groups: dict[tuple, list[CellSpec]] = defaultdict(list)
    for cell in cells:
        groups[cell.group_key()].append(cell)
    return [[(cell, store.get(cell.cell_id) if store else None) for cell in [members[0].reference(), *members]]
            for members in groups.values()]


def is_done(record: Record | None) -> bool:
    return record is not None and record.status in (OK, FLAGGED)


class Runner:
    def __init__(self, store: Store, cache_dir: Path | str, executor: Executor | None = None):
        self.store = store
        self.cache_dir = Path(cache_dir)
        self.executor = executor or make_executor("inline")

    def run(self, cells: Sequence[CellSpec]) -> RunSummary:
        started = time.perf_counter()
        summary = RunSummary(workers=self.executor.workers)
        todo = []
        for group in plan(cells, self.store):
            pending = [cell for cell, record in group if not is_done(record)]
            summary.skipped += len(group) - len(pending)
            if pending:
                todo.append(pending)
        models = {"trained": Counter(), "loaded": Counter(), "train_s": Counter()}
        bar = tqdm(total=sum(map(len, todo)), desc="cells", unit="cell", disable=None)

        def on_done(job: Job, outcome: Outcome) -> list[Job]:
            if outcome.result is not None:
                for name, by_kind in outcome.result["models"].items():
                    models[name].update(by_kind)
                summary.data_s += outcome.result.get("data_s", 0.0)
            if {"started", "finished"} <= outcome.worker.keys():
                summary.busy_s += outcome.worker["finished"] - outcome.worker["started"]
            if job.kind == PREPARE_GROUP:
                if outcome.error:  # the whole group fails with the reason, the grid goes on
                    for cell in job.tag:
                        self._put(Record(cell.cell_id, cell.to_dict(), FAILED, outcome.error), summary, bar)
                    return []
                return [Job(RUN_CELL, self._payload(cell), cell) for cell in job.tag]
            cell = job.tag
            record = payload_record(outcome.result["record"]) if outcome.result is not None else \
                Record(cell.cell_id, cell.to_dict(), FAILED, outcome.error)
            record.manifest["executor"] = {"name": self.executor.name, **outcome.worker}
            self._put(record, summary, bar)
            return []

        self.executor.run([Job(PREPARE_GROUP, self._payload(pending[0]), pending) for pending in todo], on_done)
        bar.close()
        summary.wall_s = time.perf_counter() - started
        if not summary.busy_s:  # an executor without job timestamps (inline): always busy
            summary.busy_s = summary.wall_s * summary.workers
        summary.trained, summary.loaded = dict(models["trained"]), dict(models["loaded"])
        # Shadow models train inside cells (their attack's time), so only the rest counts here.
        summary.train_s = sum(s for kind, s in models["train_s"].items() if kind != "shadow")
        return summary

    def _payload(self, cell: CellSpec) -> dict:
        return cell_payload(cell, self.cache_dir, cell.budget_s + grace_s(cell.budget_s))

    def _put(self, record: Record, summary: RunSummary, bar: tqdm) -> None:
        self.store.put(record)
        summary.ok += record.status == OK
        summary.failed += record.status == FAILED
        summary.flagged += record.status == FLAGGED
        if record.status == FAILED:
            summary.failures.append(f"{record.task}/{record.method}/seed {record.seed}: {record.error}")
        summary.cells_s += record.manifest.get("timings", {}).get("cell_s", 0.0)
        bar.update()
        tqdm.write(f"  {record.task:<20} {record.method:<14} seed {record.seed}: {record.status}"
                   + (f" ({record.error})" if record.error else ""))
