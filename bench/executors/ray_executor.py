"""Jobs on Ray: ``unlearnbench run --executor ray [--ray-address ADDR]``.

The executor starts ``workers`` slots, each a ``ray.remote`` actor that asks Ray for
``num_cpus`` CPUs and ``num_gpus`` GPUs, so Ray places it on a node with them free and pins its
devices (``CUDA_VISIBLE_DEVICES``) for its lifetime: no two cells share a GPU. Each job is a
task of a free slot, which runs it as ``local`` does: a fresh process of its own, forked from
the slot's preloaded server, so its peak memory is its own, the hard limit kills it, the memory
limit caps it, and a crash fails the job, never the slot. A slot that fails (its node died)
fails its job and is replaced. Only JSON crosses: the payload goes out, the outcome comes back,
and the driver alone writes the store.

The driver connects to ``address`` (a running cluster: ``ray://host:10001``, ``host:6379`` or
``auto``), or, without one, to the cluster named by ``RAY_ADDRESS``, or else starts a local Ray
for the run and stops it at the end. Every node needs unlearnbench installed (and the files of
``--method-file``, at the same path). Ray is an optional extra: ``pip install -e .[ray]``.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Iterable

from bench.errors import UserError, describe
from bench.executors.base import Executor, Job, OnDone, Outcome

POLL_S = 5.0  # how often the driver wakes while nothing finishes (Ctrl-C is seen then)


def _ray():
    try:
        import ray
    except ImportError:
        raise UserError("--executor ray needs Ray: pip install -e '.[ray]' (or pip install ray).") from None
    return ray


class Slot:
    """A worker slot on a Ray node (a ``ray.remote`` actor holding ``num_cpus`` CPUs and
    ``num_gpus`` GPUs, pinned by Ray for its lifetime): a one-slot ``local`` executor whose fork
    server, started with the actor, preloads the run's ``tasks`` while the grid's first jobs
    run elsewhere, and forks a fresh process for each job the slot is given."""

    def __init__(self, env: dict[str, str], max_memory_mb: float | None, tasks: list[str]):
        from bench.executors.local import LocalExecutor

        self.executor = LocalExecutor([env], max_memory_mb, keep=True)
        self.executor.start(tasks)

    def run(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """One job in a fresh process under its limits; the outcome as JSON."""
        import ray

        outcomes: list[Outcome] = []
        self.executor.run([Job(kind, payload)], lambda _, outcome: outcomes.append(outcome) or [])
        outcome = outcomes[0]
        context = ray.get_runtime_context()
        worker = {**outcome.worker, "node": context.get_node_id(), "host": os.uname().nodename,
                  "gpu_ids": [str(g) for g in ray.get_gpu_ids()],
                  "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}
        return {"result": outcome.result, "error": outcome.error, "worker": worker}


class RayExecutor(Executor):
    name = "ray"

    def __init__(self, address: str | None = None, *, num_cpus: float = 1, num_gpus: float = 0,
                 workers: int | None = None, max_memory_mb: float | None = None):
        """``num_cpus``/``num_gpus``: what each slot asks of Ray (its jobs' torch threads are
        ``num_cpus``); ``workers``: the slots, jobs in flight at once (default: as many as the
        cluster's CPUs and GPUs hold). Connects to (or starts) Ray now, to know that capacity."""
        ray = _ray()
        self.num_cpus, self.num_gpus, self.max_memory_mb = num_cpus, num_gpus, max_memory_mb
        self._started_here = False
        if not ray.is_initialized():
            if address is None and not os.environ.get("RAY_ADDRESS"):
                self._started_here = True  # a local Ray for this run, stopped at its end
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=True,
                         logging_level="WARNING")
            except ConnectionError as exc:
                raise UserError(f"--ray-address {address}: cannot connect ({exc}); start the cluster "
                                f"(`ray start --head`) or leave --ray-address out for a local Ray.") from None
        resources = ray.cluster_resources()
        fits = [resources.get("CPU", 0) // num_cpus if num_cpus else float("inf"),
                resources.get("GPU", 0) // num_gpus if num_gpus else float("inf")]
        capacity = int(min(fits)) if min(fits) != float("inf") else 1
        if capacity < 1:
            raise UserError(f"the Ray cluster has {resources.get('CPU', 0):g} CPUs and "
                            f"{resources.get('GPU', 0):g} GPUs: no room for a cell asking "
                            f"{num_cpus:g} CPUs and {num_gpus:g} GPUs.")
        self.workers = workers or capacity

    def run(self, jobs: Iterable[Job], on_done: OnDone) -> None:
        ray = _ray()
        queue = deque(jobs)
        env = {name: str(max(1, int(self.num_cpus))) for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
        tasks = sorted({job.payload["cell"]["task"] for job in queue})  # what each slot preloads
        actor = ray.remote(Slot).options(num_cpus=self.num_cpus, num_gpus=self.num_gpus, max_restarts=0)

        def new_slot():
            return actor.remote(env, self.max_memory_mb, tasks)

        free, running = [new_slot() for _ in range(self.workers)], {}
        try:
            while queue or running:
                while queue and free:
                    slot, job = free.pop(0), queue.popleft()
                    running[slot.run.remote(job.kind, job.payload)] = (job, slot, time.time())
                ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
                for ref in ready:
                    job, slot, submitted = running.pop(ref)
                    try:
                        outcome = Outcome(**ray.get(ref))
                        free.append(slot)
                    except Exception as exc:  # the slot itself failed: its node died, Ray stopped it
                        outcome = Outcome(error=f"Ray task failed: {describe(exc)}",
                                          worker={"submitted": submitted, "finished": time.time()})
                        ray.kill(slot)
                        free.append(new_slot())
                    queue.extendleft(reversed(list(on_done(job, outcome))))
        finally:
            for slot in free + [slot for _, slot, _ in running.values()]:
                ray.kill(slot)  # its fork server and a running job die with it (PR_SET_PDEATHSIG)
            if self._started_here:
                ray.shutdown()
