"""A worker process of the ``local`` executor: ``python -m bench.executors.process FD``.

Reads one job as JSON from stdin (``{"kind": ..., "payload": ...}``), runs it in a fresh
``Worker``, and reports on file descriptor FD as JSON lines: ``{"arm": seconds or null}`` around
the unlearning call (the driver kills the process past that limit), then ``{"result": ...}`` or
``{"error": "..."}``. stdout and stderr stay the user's (training progress, a method's prints).
A process of its own rather than a ``multiprocessing`` child, so it never re-imports the
driver's ``__main__`` (a notebook, a script, stdin) and inherits nothing but its environment.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def main(fd: int) -> None:
    _die_with_parent()
    job = json.load(sys.stdin)
    with os.fdopen(fd, "w") as channel:
        def send(message: dict) -> None:
            channel.write(json.dumps(message) + "\n")
            channel.flush()

        from bench.errors import describe  # importing bench sets OMP_WAIT_POLICY before torch
        import torch

        if "OMP_NUM_THREADS" in os.environ:
            torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        from bench.executors.worker import run_job

        try:
            send({"result": run_job(job["kind"], job["payload"], lambda limit_s: send({"arm": limit_s}))})
        except Exception as exc:
            send({"error": describe(exc)})


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
    main(int(sys.argv[1]))
