"""A worker process of the ``local`` executor: ``python -m bench.executors.process FD [--serve]``.

Reads one job as JSON from stdin (``{"kind": ..., "payload": ...}``), runs it in a fresh
``Worker``, and reports on file descriptor FD as JSON lines: ``{"arm": seconds or null}`` around
the unlearning call (the driver kills the process past that limit), then ``{"result": ...}`` or
``{"error": "..."}``. With ``--serve`` (warm workers, ``run --warm``) it reads one job a line
and answers each in turn, keeping torch, the prepared tasks and the last group loaded between
them; a cell's peak RSS then counts only its growth during the unlearning call
(``cost.peak_rss_delta_mb`` instead of ``cost.peak_rss_mb``: see docs/executors.md). stdout and stderr stay the user's (training progress, a method's prints).
A process of its own rather than a ``multiprocessing`` child, so it never re-imports the
driver's ``__main__`` (a notebook, a script, stdin) and inherits nothing but its environment.

Under a memory limit (``UNLEARNBENCH_MAX_MEMORY_MB``, set by the executor) a CPU job caps its
own address space with ``RLIMIT_AS`` before torch loads: an allocation past the limit fails
(``MemoryError``, or torch's "can't allocate memory"), and the cell's record says it ran out of
memory under the limit. The cap is on address space, a little stricter than resident memory (a
CPU torch process maps ~0.8 GB while ~0.3 GB resides). CUDA jobs are not capped here (the CUDA
driver reserves tens of GB of address space): the executor watches their resident memory.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys

MEMORY_ENV = "UNLEARNBENCH_MAX_MEMORY_MB"  # bench.executors.local.MEMORY_ENV (torch-free here)
#: How an allocation past RLIMIT_AS reads: Python's, torch's CPU allocator's, C++'s.
OUT_OF_MEMORY = ("MemoryError", "can't allocate memory", "std::bad_alloc", "Cannot allocate memory")
#: A warm worker's per-cell memory figure (``_run``): the RSS growth during the unlearning call.
WARM_RSS = "cost.peak_rss_delta_mb"


def main(fd: int, serve: bool = False) -> None:
    _die_with_parent()
    if serve:  # a warm worker is started before its first job: its imports come first
        _import_torch()
    job = _read_job(serve)
    limit_mb = _limit_memory(job) if job is not None else None  # before torch, for a one-job process
    with os.fdopen(fd, "w") as channel:
        def send(message: dict) -> None:
            channel.write(json.dumps(message) + "\n")
            channel.flush()

        _import_torch()
        from bench.executors.worker import Worker

        worker = Worker()  # one job, or (serving) every job of this slot: its tasks and last group stay
        while job is not None:
            send(_run(worker, job, send, limit_mb, warm=serve))
            job = _read_job(serve) if serve else None


def _import_torch() -> None:
    import bench  # noqa: F401  (sets OMP_WAIT_POLICY before torch loads)
    import torch

    if "OMP_NUM_THREADS" in os.environ:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    import bench.executors.worker  # noqa: F401  (the task and method registries, the cell code)


def _read_job(serve: bool) -> dict | None:
    """The next job: the whole of stdin, or (serving) its next line; None at its end."""
    if not serve:
        return json.load(sys.stdin)
    line = sys.stdin.readline()
    return json.loads(line) if line.strip() else None


def _run(worker, job: dict, send, limit_mb: int | None, warm: bool) -> dict:
    from bench.errors import describe
    from bench.executors.base import PREPARE_GROUP

    start_mb: list[float] = []

    def arm(limit_s: float | None) -> None:
        if warm and limit_s is not None:  # the unlearning call starts: its RSS baseline
            import psutil

            start_mb.append(psutil.Process().memory_info().rss / 2**20)
        send({"arm": limit_s})

    try:
        if job["kind"] == PREPARE_GROUP:
            return {"result": worker.prepare_group(job["payload"])}
        result = worker.run_cell(job["payload"], arm)
        record = result["record"]
        if limit_mb and record["status"] == "failed" and _out_of_memory(record["error"]):
            record["error"] = f"out of memory under the {limit_mb} MB limit (--max-memory-gb): {record['error']}"
        if warm and start_mb and "cost.peak_rss_mb" in record["metrics"]:
            # A served process's RSS holds earlier jobs' leftovers: only its growth during the
            # call is this cell's, under a name of its own (never compared with a fresh peak).
            peak = record["metrics"].pop("cost.peak_rss_mb")
            record["metrics"][WARM_RSS] = max(0.0, peak - start_mb[0])
            record["directions"][WARM_RSS] = record["directions"].pop("cost.peak_rss_mb", "lower")
        return {"result": result}
    except Exception as exc:
        error = describe(exc)
        return {"error": f"out of memory under the {limit_mb} MB limit (--max-memory-gb): {error}"
                if limit_mb and _out_of_memory(error) else error}


def _limit_memory(job: dict) -> int | None:
    """Caps this process's address space at the executor's limit, for a CPU job."""
    limit_mb = int(os.environ.get(MEMORY_ENV) or 0) or None
    if limit_mb and job["payload"]["cell"]["device"] == "cpu":
        limit = limit_mb * 2**20
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
        return limit_mb
    return None


def _out_of_memory(error: str) -> bool:
    return any(sign in error for sign in OUT_OF_MEMORY)


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the driver dies (even by ``kill -9``), so no
    orphan keeps training into the cache after its run is gone."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: an orphan finishes its job and exits
        pass
    if os.getppid() == 1:  # the driver died before the request took effect
        sys.exit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]), serve="--serve" in sys.argv[2:])
