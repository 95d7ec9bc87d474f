"""A worker process of the ``local`` executor: ``python -m bench.executors.process FD MODE [TASKS]``.

Both modes first load what cells use (``bench.executors.preload``: torch, the methods, the
attacks, the ``TASKS`` named, comma-separated; a fork server loads the attacks while its first
child prepares a group, which needs none), then read jobs from stdin, one JSON line each
(``{"kind": ..., "payload": ...}``), and report on file descriptor FD as JSON lines.

``fork`` (the default of ``--executor local``): a fork server. For each job it forks a child
that runs the job and exits, so the peak RSS and GPU memory a cell records are its own
process's, and a crash or a leak ends with the job, while no job pays an interpreter start or
its imports; nor, once a first child has run a job of its task, the task's preparation
(``Task.prepare``: decoded images, featurized molecules), which the server then does once for
the children to inherit. The child reports ``{"pid": n}``, then ``{"arm": seconds or null}``
around the unlearning call (the driver kills the child past that limit), then ``{"result": ...}``
or ``{"error": "..."}``; the server reports ``{"exit": code, "job": k}`` when its k-th child
has ended, which tells the driver how a child that died before reporting died.

``serve`` (warm workers, ``run --warm``): this process answers each job in turn, keeping the
prepared tasks and the last group loaded between them; a cell's peak RSS then counts only its
growth during the unlearning call (``cost.peak_rss_delta_mb`` instead of ``cost.peak_rss_mb``:
see docs/executors.md).

stdout and stderr stay the user's (training progress, a method's prints). A process of its own
rather than a ``multiprocessing`` child, so it never re-imports the driver's ``__main__`` (a
notebook, a script, stdin) and inherits nothing but its environment.

Under a memory limit (``UNLEARNBENCH_MAX_MEMORY_MB``, set by the executor) a CPU job caps the
address space of the process that runs it with ``RLIMIT_AS`` (a fork server's child; a warm
worker from its first job on): an allocation past the limit fails (``MemoryError``, or torch's
"can't allocate memory"), and the cell's record says it ran out of memory under the limit. The
cap is on address space, a little stricter than resident memory (a CPU torch process maps
~0.8 GB while ~0.3 GB resides). CUDA jobs are not capped here (the CUDA driver reserves tens of
GB of address space): the executor watches their resident memory.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import sys

from bench.executors.base import PREPARE_GROUP
from bench.executors.preload import preload, preload_attacks, set_threads

MEMORY_ENV = "UNLEARNBENCH_MAX_MEMORY_MB"  # a job's memory limit in MB, set by the executor
#: How an allocation past RLIMIT_AS reads: Python's, torch's CPU allocator's, C++'s.
OUT_OF_MEMORY = ("MemoryError", "can't allocate memory", "std::bad_alloc", "Cannot allocate memory")
#: A warm worker's per-cell memory figure (``_run``): the RSS growth during the unlearning call.
WARM_RSS = "cost.peak_rss_delta_mb"


FORK, SERVE = "fork", "serve"


def main(fd: int, mode: str, tasks: list[str]) -> None:
    _die_with_parent()
    preload(tasks, attacks=mode == SERVE)  # a fork server loads them while its first child runs
    channel = os.fdopen(fd, "w")

    def send(message: dict) -> None:
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    if mode == SERVE:
        worker, limit_mb, job = None, None, _read_job()
        while job is not None:
            if worker is None:  # the first job: its device decides the limit
                limit_mb = _limit_memory(job)
                set_threads()
                worker = _new_worker()  # every job of this slot: its tasks and last group stay
            send(_run(worker, job, send, limit_mb, warm=True))
            job = _read_job()
    else:
        from bench.executors.worker import task_key

        if not select.select([sys.stdin], [], [], 0)[0]:  # no job waits: nothing to overlap them with
            preload_attacks()
        worker, forked, ran = _new_worker(), 0, set()
        while (job := _read_job()) is not None:
            forked += 1
            if task_key(job["payload"]) in ran:
                data_s = _prepare_task(worker, job)
            else:  # its child prepares it; the server lets go of any other task (the child would count it)
                worker, data_s = _new_worker(), 0.0
            if job["kind"] != PREPARE_GROUP:
                preload_attacks()  # a cell's child inherits them (a no-op once loaded)
            pid = os.fork()
            if pid == 0:
                _run_child(worker, job, data_s, send)
            preload_attacks()  # while a group's preparation runs, for its cells
            code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            send({"exit": code, "job": forked})
            if code == 0:
                ran.add(task_key(job["payload"]))
    _exit(0)


def _prepare_task(worker, job: dict) -> float:
    """The fork server prepares ``job``'s task for its children to inherit: the seconds it took
    (0 when an earlier child inherited it too). Only once a child has run a job of the task, so
    that what the preparation writes to disk once (a task's cached text features, computed on a
    tokenizer's and torch's thread pools) was written by a job process, and the server's own
    preparation only reads it; and on one thread, so that the server starts no thread pool and
    may still fork. A task that fails to prepare is left for the child, which reports the failure
    as its job's."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return worker.prepare_task(job["payload"])
    except Exception:  # noqa: BLE001
        return 0.0
    finally:
        torch.set_num_threads(threads)  # the children's, unless the slot sets theirs


def _run_child(worker, job: dict, data_s: float, send) -> None:
    """The fork server's child: runs ``job`` with the server's ``worker`` (its task prepared, in
    ``data_s`` seconds that this job reports) and exits without returning."""
    code = 1
    try:
        _die_with_parent()
        send({"pid": os.getpid()})
        limit_mb = _limit_memory(job)
        set_threads()
        outcome = _run(worker, job, send, limit_mb, warm=False)
        if "result" in outcome:
            outcome["result"]["data_s"] = outcome["result"].get("data_s", 0.0) + data_s
        send(outcome)
        code = 0
    finally:
        _exit(code)


def _new_worker():
    from bench.executors.worker import Worker

    return Worker()


def _exit(code: int) -> None:
    """Exits at once once the streams are flushed: the interpreter's teardown of torch takes
    about a second, which the driver would wait for before giving the slot its next job."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _read_job() -> dict | None:
    """The next job (a line of stdin); None at its end."""
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
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",") if len(sys.argv) > 3 else [])
