"""A pool of worker slots on this machine, a fresh process per job.

Each job runs in a process of its own (``bench.executors.process``: nothing inherited but the
environment, the job read as JSON), so the peak RSS and GPU memory a cell records are its own,
and a crash or a leak ends with the job. Slots are pinned: on CUDA one slot per device
(``CUDA_VISIBLE_DEVICES``), on CPU ``workers`` slots with the torch threads divided between
them. A process that dies (killed, out of memory, a segfault) fails its job with the reason; a
method still running at its hard limit (the cell announces its unlearning call,
``bench.executors.cell.Arm``) is killed. Either way the pool goes on.
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
from typing import IO, Iterable

from bench.errors import UserError
from bench.executors.base import Executor, Job, OnDone, Outcome

THREADS_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
POLL_S = 1.0  # how often deadlines are checked while no job reports


@dataclass
class _Running:
    job: Job
    process: subprocess.Popen
    slot: int
    channel: IO[bytes]  # the JSON lines the process reports on
    deadline: float | None = None  # monotonic time past which the job is killed
    limit_s: float = 0.0
    started: float = field(default_factory=time.time)


class LocalExecutor(Executor):
    name = "local"

    def __init__(self, slots: list[dict[str, str]]):
        """``slots``: the environment of each worker slot (threads, visible devices)."""
        self.slots = slots
        self.workers = len(slots)

    @classmethod
    def for_device(cls, device: str, workers: int | None, threads: int | None) -> "LocalExecutor":
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
            return cls([{"CUDA_VISIBLE_DEVICES": str(d), **_threads(each)} for d in devices])
        workers = workers or 1
        each = max(1, (threads or os.cpu_count() or 1) // workers)
        return cls([_threads(each) for _ in range(workers)])

    def run(self, jobs: Iterable[Job], on_done: OnDone) -> None:
        queue, running = deque(jobs), {}
        free = list(range(self.workers))
        try:
            while queue or running:
                while queue and free:
                    entry = self._start(queue.popleft(), free.pop(0))
                    running[entry.channel] = entry
                for channel, outcome in self._next_outcomes(running):
                    entry = running.pop(channel)
                    channel.close()
                    entry.process.wait()
                    free.append(entry.slot)
                    outcome.worker = {"slot": entry.slot, "pid": entry.process.pid, "started": entry.started,
                                      "finished": time.time(), "env": self.slots[entry.slot]}
                    queue.extendleft(reversed(list(on_done(entry.job, outcome))))
        finally:
            for entry in running.values():  # interrupted: no job outlives the driver
                entry.process.kill()
                entry.process.wait()

    def _start(self, job: Job, slot: int) -> _Running:
        read_fd, write_fd = os.pipe()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.executors.process", str(write_fd)], stdin=subprocess.PIPE,
            pass_fds=(write_fd,), env={**os.environ, **self.slots[slot]})
        os.close(write_fd)  # the child holds the only writer: its death reads as end of file
        process.stdin.write(json.dumps({"kind": job.kind, "payload": job.payload}).encode())
        process.stdin.close()
        return _Running(job, process, slot, os.fdopen(read_fd, "rb"))

    def _next_outcomes(self, running: dict[IO[bytes], _Running]) -> list[tuple[IO[bytes], Outcome]]:
        """Waits until a job reports or a deadline passes; the outcomes of finished jobs."""
        now = time.monotonic()
        deadlines = [r.deadline - now for r in running.values() if r.deadline is not None]
        finished: dict[IO[bytes], Outcome] = {}
        for channel in wait(list(running), max(0.0, min([POLL_S, *deadlines]))):
            entry = running[channel]
            line = channel.readline()  # a message is one line, written at once
            if not line:
                finished[channel] = Outcome(error=_death(entry.process))
                continue
            message = json.loads(line)
            if "arm" in message:
                entry.limit_s = message["arm"] or 0.0
                entry.deadline = None if message["arm"] is None else time.monotonic() + message["arm"]
            else:
                finished[channel] = Outcome(message.get("result"), message.get("error", ""))
        now = time.monotonic()
        for channel, entry in running.items():
            if entry.deadline is not None and now > entry.deadline and channel not in finished:
                entry.process.kill()
                finished[channel] = Outcome(error=(
                    f"terminated by the executor: its unlearning call ran past budget + grace "
                    f"({entry.limit_s:.0f} s)"))
        return list(finished.items())


def _threads(n: int) -> dict[str, str]:
    return {name: str(n) for name in THREADS_ENV}


def _death(process: subprocess.Popen) -> str:
    code = process.wait()
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return f"worker process died ({how}) before reporting"
