"""A pool of worker slots on this machine, a fresh process per job.

Each slot has a fork server (``bench.executors.process``: nothing inherited from the driver
but the environment, jobs read as JSON) that has loaded torch and the cell code once; each job
runs in a child forked from it, so the peak RSS and GPU memory a cell records are its own
process's, and a crash or a leak ends with the job, without an interpreter start and its
imports per job. Slots are pinned: on CUDA one slot per device (``CUDA_VISIBLE_DEVICES``), on
CPU ``workers`` slots with the torch threads divided between them. A job process that dies
(killed, out of memory, a segfault) fails its job with the reason; a method still running at
its hard limit (the cell announces its unlearning call, ``bench.executors.cell.Arm``) is
killed. Either way the pool goes on; a slot whose server dies gets a new one.

``max_memory_mb`` limits each job's memory: the job process caps its own address space
(``RLIMIT_AS``, set in ``bench.executors.process``; CPU jobs), so an allocation past it fails
the cell with the reason; for CUDA jobs, whose driver reserves far more address space than it
uses, the pool instead polls the job process's resident memory and kills it past the limit.
A Ray slot is a one-slot pool kept for the run (``keep``), and a Slurm array task runs its
job with ``run_one``, so a cell there gets the same fresh process, hard limit and memory limit.

``warm`` (``run --warm``): one process per slot serves its jobs itself, in turn, keeping the
prepared tasks and the last group loaded, so short cells do not pay their data preparation and
a model load each; a process that is killed or dies is replaced for the next job. Its cells
record the growth of RSS during the unlearning call (``cost.peak_rss_delta_mb``), not a peak
that would include earlier cells' leftovers (docs/executors.md: the trade-off).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Iterable

import psutil

from bench.errors import UserError
from bench.executors.base import Executor, Job, OnDone, Outcome
from bench.executors.process import FORK, MEMORY_ENV, SERVE

THREADS_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
POLL_S = 1.0  # how often deadlines (and resident memory, under a limit) are checked


@dataclass(eq=False)  # a dict key by identity
class _Process:
    """A slot's process (a fork server, or a warm worker) and the channel it and its children
    report on (JSON lines on a pipe of its own)."""

    process: subprocess.Popen
    fd: int  # the read end; the slot's processes hold the only writers: their end reads as end of file
    pending: bytes = b""  # a partial line read so far
    served: int = 0  # jobs it has taken
    child: int | None = None  # the fork server's child running the current job, once it reported

    @property
    def pid(self) -> int:
        """The process that runs the current job."""
        return self.child or self.process.pid

    def fileno(self) -> int:
        return self.fd

    def messages(self) -> list[dict] | None:
        """The complete messages that have arrived (after ``wait`` saw the pipe readable); None
        at end of file: the process is gone."""
        data = os.read(self.fd, 1 << 16)
        if not data:
            return None
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def kill_job(self) -> None:
        """Kills the process running the current job (a fork server's child, or a warm worker)."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # it just ended: its outcome says how
            pass

    def close(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()  # a fork server's child dies with it (PR_SET_PDEATHSIG)
        if self.process.stdin and not self.process.stdin.closed:
            try:
                self.process.stdin.close()
            except OSError:  # it is already gone
                pass
        self.process.wait()
        os.close(self.fd)


@dataclass
class _Running:
    job: Job
    worker: _Process
    slot: int
    deadline: float | None = None  # monotonic time past which the job is killed
    limit_s: float = 0.0
    started: float = field(default_factory=time.time)


class LocalExecutor(Executor):
    name = "local"

    def __init__(self, slots: list[dict[str, str]], max_memory_mb: float | None = None, warm: bool = False,
                 keep: bool = False):
        """``slots``: the environment of each worker slot (threads, visible devices);
        ``max_memory_mb``: each job's memory limit (None: none); ``warm``: one process per slot
        serves its jobs in turn (a fresh one after a job kills it) instead of one per job;
        ``keep``: the slots' processes outlive ``run`` and take the next run's jobs (until
        ``close``)."""
        self.slots = [{**slot, MEMORY_ENV: str(int(max_memory_mb))} if max_memory_mb else dict(slot)
                      for slot in slots]
        self.workers = len(slots)
        self.max_memory_mb = max_memory_mb
        self.warm = warm
        self.keep = keep
        self._idle: dict[int, _Process] = {}  # each free slot's process, ready for a job

    @classmethod
    def for_device(cls, device: str, workers: int | None, threads: int | None,
                   max_memory_mb: float | None = None, warm: bool = False) -> "LocalExecutor":
        """CUDA: one slot per visible device (the first ``workers`` of them); CPU: ``workers``
        slots (default 1) sharing ``threads`` (default: every core) evenly, at least one each."""
        if device == "cuda":
            import torch

            count = torch.cuda.device_count()
            if workers is not None and not 1 <= workers <= count:
                raise UserError(f"--workers {workers} on CUDA: one worker per device, and torch "
                                f"sees {count}; give at most {count}.")
            devices = list(range(workers or count))
            each = max(1, (threads or os.cpu_count() or 1) // len(devices))
            return cls([{"CUDA_VISIBLE_DEVICES": str(d), **_threads(each)} for d in devices], max_memory_mb, warm)
        workers = workers or 1
        each = max(1, (threads or os.cpu_count() or 1) // workers)
        return cls([_threads(each) for _ in range(workers)], max_memory_mb, warm)

    def start(self, tasks: Iterable[str] = ()) -> None:
        """Starts each free slot's process (unless a kept one is alive), preloading the
        ``tasks`` named: its imports then overlap the first jobs."""
        tasks = sorted(tasks)
        for slot in range(self.workers):
            if slot in self._idle and self._idle[slot].process.poll() is not None:  # a kept one, died since
                self._idle.pop(slot).close()
            if slot not in self._idle:
                self._idle[slot] = self._spawn(slot, tasks)

    def run(self, jobs: Iterable[Job], on_done: OnDone) -> None:
        queue, running = deque(jobs), {}
        tasks = sorted({job.payload["cell"]["task"] for job in queue})  # what the slots preload
        free, idle = list(range(self.workers)), self._idle
        self.start(tasks)
        try:
            while queue or running:
                while queue and free:
                    slot = free.pop(0)
                    entry = self._start(queue.popleft(), slot, idle.pop(slot, None) or self._spawn(slot, tasks))
                    running[entry.worker] = entry
                for worker, outcome in self._next_outcomes(running):
                    entry = running.pop(worker)
                    # a warm worker that failed a job may hold its broken state; a fork server does not
                    if worker.process.poll() is None and not (self.warm and outcome.error):
                        idle[entry.slot] = worker  # it takes the slot's next job
                    else:  # it has died, or it exits at the end of its stdin
                        worker.close()
                    free.append(entry.slot)
                    outcome.worker = {"slot": entry.slot, "pid": worker.pid, "server": worker.process.pid,
                                      "started": entry.started, "finished": time.time(),
                                      "env": self.slots[entry.slot]}
                    if self.warm:
                        outcome.worker.update(warm=True, job_in_process=worker.served)
                    queue.extendleft(reversed(list(on_done(entry.job, outcome))))
        finally:
            for entry in running.values():  # interrupted: no job outlives the driver
                entry.worker.close(kill=True)
            if not self.keep:
                self.close()

    def close(self) -> None:
        """Ends the free slots' processes (end of their stdin)."""
        while self._idle:
            self._idle.popitem()[1].close()

    def _spawn(self, slot: int, tasks: list[str]) -> _Process:
        read_fd, write_fd = os.pipe()
        command = [sys.executable, "-m", "bench.executors.process", str(write_fd),
                   SERVE if self.warm else FORK, ",".join(tasks)]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, pass_fds=(write_fd,),
                                   env={**os.environ, **self.slots[slot]})
        os.close(write_fd)  # the slot's processes hold the only writers: their end reads as end of file
        return _Process(process, read_fd)

    def _start(self, job: Job, slot: int, worker: _Process) -> _Running:
        worker.process.stdin.write((json.dumps({"kind": job.kind, "payload": job.payload}) + "\n").encode())
        worker.process.stdin.flush()
        worker.served += 1
        worker.child = None
        return _Running(job, worker, slot)

    def _next_outcomes(self, running: dict[_Process, _Running]) -> list[tuple[_Process, Outcome]]:
        """Waits until a job reports or a deadline passes; the outcomes of finished jobs."""
        now = time.monotonic()
        deadlines = [r.deadline - now for r in running.values() if r.deadline is not None]
        finished: dict[_Process, Outcome] = {}
        for worker in wait(list(running), max(0.0, min([POLL_S, *deadlines]))):
            entry = running[worker]
            messages = worker.messages()
            if messages is None:
                finished[worker] = Outcome(error=_death(worker.process.wait()))
                continue
            for message in messages:
                if "pid" in message:
                    worker.child = message["pid"]
                elif "exit" in message:  # a child has ended; the current job's, before it reported?
                    if message["job"] == worker.served and worker not in finished:
                        finished[worker] = Outcome(error=_death(message["exit"]))
                elif "arm" in message:
                    entry.limit_s = message["arm"] or 0.0
                    entry.deadline = None if message["arm"] is None else time.monotonic() + message["arm"]
                elif worker not in finished:
                    finished[worker] = Outcome(message.get("result"), message.get("error", ""))
        now = time.monotonic()
        for worker, entry in running.items():
            if worker in finished:
                continue
            if entry.deadline is not None and now > entry.deadline:
                worker.kill_job()
                finished[worker] = Outcome(error=(
                    f"terminated by the executor: its unlearning call ran past budget + grace "
                    f"({entry.limit_s:.0f} s)"))
            elif self.max_memory_mb and (rss := _rss_mb(worker.pid)) > self.max_memory_mb:
                worker.kill_job()  # a CUDA job, or memory that RLIMIT_AS did not catch
                finished[worker] = Outcome(error=(
                    f"terminated by the executor: out of memory, {rss:.0f} MB resident > the "
                    f"{self.max_memory_mb:.0f} MB limit (--max-memory-gb)"))
        return list(finished.items())


def run_one(job: Job, env: dict[str, str] | None = None, max_memory_mb: float | None = None) -> Outcome:
    """``job`` in a fresh process of its own, under its hard limit and ``max_memory_mb``, with
    ``env`` over this process's environment; returns its outcome (never raises for the job's
    failures). A Slurm array task runs its job this way."""
    outcomes: list[Outcome] = []
    LocalExecutor([env or {}], max_memory_mb).run([job], lambda _, outcome: outcomes.append(outcome) or [])
    return outcomes[0]


def threads_env(n: int) -> dict[str, str]:
    """The environment that gives a job process ``n`` torch threads."""
    return _threads(n)


def _rss_mb(pid: int) -> float:
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.Error:  # it just ended: its outcome says how
        return 0.0


def _threads(n: int) -> dict[str, str]:
    return {name: str(n) for name in THREADS_ENV}


def _death(code: int) -> str:
    """Why a job process ended before reporting, from its exit code (negative: the signal)."""
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return f"worker process died ({how}) before reporting"
