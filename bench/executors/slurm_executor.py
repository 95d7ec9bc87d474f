"""Jobs as Slurm job arrays through submitit: ``unlearnbench run --executor slurm
--slurm-option partition=gpu --slurm-option gpus=1 ...``.

The driver writes each job's JSON (``FOLDER/jobs/KEY.json``) and submits every job that is ready
at once as one array (``sbatch --array``, at most ``array_parallelism`` running); each array task
runs its job as ``local`` does (``bench.executors.local.run_one``: a fresh process, the hard
limit, the memory limit) and writes the outcome to ``FOLDER/results/KEY.json`` atomically. The
driver polls for those files, ingests them and alone writes the store; a task that ended
without one (cancelled, out of time, out of memory, its node lost) fails its job with Slurm's
state and the end of its log. FOLDER (default ``RESULTS/slurm``) must be on a file system that
the nodes share, and every node needs unlearnbench installed (submitit runs the driver's Python).

Crash safety: jobs go on when the driver dies. KEY is the hash of the job's payload, so a rerun
of the same command ingests the result file of a cell that finished meanwhile (an ok or flagged
record) instead of running it again; any other old result file is removed and its job submitted
anew. Only the callable submitit sends is pickled (``run_array_task``, by name); the job and its
outcome are JSON.

Options (``--slurm-option KEY=VALUE``, repeatable): ``partition``, ``account``, ``qos``,
``time`` (minutes per array task; default: the batch's largest cell hard limit + 60 minutes for
loading or training its group's models), ``gpus`` (per task), ``cpus`` (per task, default 1:
the job's torch threads), ``mem_gb``, ``array_parallelism`` (default 64), ``constraint``,
``exclude``, ``setup`` (a shell line run before the task; repeatable through ``;``), and
``cluster`` (``slurm``; ``local`` runs the arrays' tasks as processes on this machine through
submitit's local executor: the pipeline without a cluster). Any other KEY is passed to sbatch
as ``--KEY=VALUE``. Submitit is an optional extra: ``pip install -e .[slurm]``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import time
from collections import deque
from pathlib import Path
from typing import Any, Iterable

from bench.errors import UserError
from bench.executors.base import RUN_CELL, Executor, Job, OnDone, Outcome

POLL_S = {"slurm": 15.0, "local": 0.5, "debug": 0.5}  # sacct is not to be hammered
#: Options with a meaning of their own here; the rest go to sbatch as they are.
OWN_OPTIONS = {"cluster", "time", "gpus", "cpus", "mem_gb", "array_parallelism", "setup", "partition",
               "account", "qos", "constraint", "exclude", "poll_s"}
DEFAULT_PARALLELISM = 64


def parse_options(pairs: Iterable[str]) -> dict[str, str]:
    """``["partition=gpu", "time=120"]`` -> ``{"partition": "gpu", "time": "120"}``."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key or not value.strip():
            raise UserError(f"--slurm-option {pair!r}: give KEY=VALUE, e.g. --slurm-option partition=gpu.")
        options[key] = value.strip()
    for key in ("time", "gpus", "cpus", "array_parallelism"):
        if key in options and not options[key].isdigit():
            raise UserError(f"--slurm-option {key}={options[key]}: give a whole number.")
    if options.get("cluster", "slurm") not in POLL_S:
        raise UserError(f"--slurm-option cluster={options['cluster']}: one of {', '.join(POLL_S)}.")
    return options


def _submitit():
    try:
        import submitit
    except ImportError:
        raise UserError("--executor slurm needs submitit: pip install -e '.[slurm]' (or pip install submitit).") from None
    return submitit


def run_array_task(job_path: str, result_path: str) -> None:
    """The body of one array task: the job in a fresh process under its limits, its outcome
    written as JSON beside the others (atomically: the driver never reads half a file)."""
    from bench.executors.local import run_one

    spec = json.loads(Path(job_path).read_text())
    outcome = run_one(Job(spec["kind"], spec["payload"]), spec["env"], spec["max_memory_mb"])
    array = os.environ.get("SLURM_ARRAY_JOB_ID")
    slurm_id = f"{array}_{os.environ.get('SLURM_ARRAY_TASK_ID')}" if array else os.environ.get("SLURM_JOB_ID")
    worker = {**outcome.worker, "host": socket.gethostname(), "slurm_job_id": slurm_id,
              "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}
    _write_atomic(Path(result_path), {"key": spec["key"], "kind": spec["kind"], "result": outcome.result,
                                      "error": outcome.error, "worker": worker})


class SlurmExecutor(Executor):
    name = "slurm"

    def __init__(self, folder: Path | str, options: dict[str, str] | None = None,
                 max_memory_mb: float | None = None):
        self.folder = Path(folder).resolve()
        self.options = dict(options or {})
        self.cluster = self.options.get("cluster", "slurm")
        self.max_memory_mb = max_memory_mb
        self.cpus = int(self.options.get("cpus", 1))
        self.workers = int(self.options.get("array_parallelism", DEFAULT_PARALLELISM))
        self.poll_s = float(self.options.get("poll_s", POLL_S[self.cluster]))
        _submitit()
        if self.cluster == "slurm" and not (shutil.which("sbatch") and shutil.which("srun")):
            raise UserError("--executor slurm: no sbatch/srun on PATH, so this is not a Slurm login node; "
                            "run there, or try the pipeline here with --slurm-option cluster=local.")

    def executor(self, timeout_min: int):
        """The submitit executor of one array, its options applied."""
        submitit = _submitit()
        executor = submitit.AutoExecutor(folder=self.folder / "logs" / "%j", cluster=self.cluster)
        o = self.options
        params: dict[str, Any] = {"name": "unlearnbench", "timeout_min": int(o.get("time", timeout_min)),
                                  "cpus_per_task": self.cpus}
        if "gpus" in o:
            params["gpus_per_node"] = int(o["gpus"])
        if "mem_gb" in o:
            params["mem_gb"] = float(o["mem_gb"])
        if self.cluster == "slurm":
            params["slurm_array_parallelism"] = self.workers
            for key in ("partition", "account", "qos", "constraint", "exclude"):
                if key in o:
                    params[f"slurm_{key}"] = o[key]
            if "setup" in o:
                params["slurm_setup"] = [line.strip() for line in o["setup"].split(";") if line.strip()]
            extra = {k: v for k, v in o.items() if k not in OWN_OPTIONS}
            if extra:
                params["slurm_additional_parameters"] = extra
        executor.update_parameters(**params)
        return executor

    def submit(self, jobs: list[Job]) -> list[tuple[Job, Any, Path]]:
        """Writes the jobs' JSON and submits them as one array; ``(job, submitit job, result
        file)`` each."""
        for sub in ("jobs", "results"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        env = {name: str(self.cpus) for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
        limit_s = max(job.payload.get("limit_s", 0.0) for job in jobs)
        executor = self.executor(timeout_min=math.ceil(limit_s / 60) + 60)
        paths = []
        for job in jobs:
            key = job_key(job)
            job_path, result_path = self.folder / "jobs" / f"{key}.json", self.folder / "results" / f"{key}.json"
            _write_atomic(job_path, {"key": key, "kind": job.kind, "payload": job.payload, "env": env,
                                     "max_memory_mb": self.max_memory_mb})
            paths.append((job_path, result_path))
        with executor.batch():  # one sbatch --array for them all
            handles = [executor.submit(run_array_task, str(job_path), str(result_path))
                       for job_path, result_path in paths]
        return [(job, handle, result_path) for job, handle, (_, result_path) in zip(jobs, handles, paths)]

    def run(self, jobs: Iterable[Job], on_done: OnDone) -> None:
        queue, running = deque(jobs), {}
        try:
            while queue or running:
                ready = []
                while queue and len(running) + len(ready) < self.workers:
                    job = queue.popleft()
                    done = self._finished_before(job)
                    if done is not None:  # a previous driver's job finished it: ingest, don't rerun
                        queue.extendleft(reversed(list(on_done(job, done))))
                    else:
                        ready.append(job)
                if ready:
                    for job, handle, result_path in self.submit(ready):
                        running[result_path] = (job, handle)
                finished = [(path, self._outcome(path, handle)) for path, (_, handle) in running.items()]
                finished = [(path, outcome) for path, outcome in finished if outcome is not None]
                if not finished:
                    time.sleep(self.poll_s)
                for path, outcome in finished:
                    job, _ = running.pop(path)
                    queue.extendleft(reversed(list(on_done(job, outcome))))
        except BaseException:
            for _, handle in running.values():  # interrupted (Ctrl-C, an error): cancel what we own
                try:
                    handle.cancel(check=False)
                except Exception:
                    pass
            raise

    def _finished_before(self, job: Job) -> Outcome | None:
        """The outcome of ``job`` that an earlier run's array task left, if it is one to keep (a
        stored-worthy cell record); any other leftover result file is removed."""
        path = self.folder / "results" / f"{job_key(job)}.json"
        if not path.exists():
            return None
        outcome = _read(path)
        record = (outcome.result or {}).get("record") if outcome else None
        if job.kind == RUN_CELL and record and record.get("status") in ("ok", "flagged"):
            return outcome
        path.unlink(missing_ok=True)
        return None

    def _outcome(self, path: Path, handle) -> Outcome | None:
        if path.exists():
            return _read(path) or Outcome(error=f"unreadable result file {path}")
        if not handle.done():
            return None
        if path.exists():  # written just before the task ended
            return _read(path) or Outcome(error=f"unreadable result file {path}")
        return Outcome(error=f"Slurm task {handle.job_id} ended ({handle.state}) without a result"
                             f"{_log_tail(handle)}", worker={"slurm_job_id": handle.job_id})


def job_key(job: Job) -> str:
    from bench.spec import spec_hash

    return f"{job.kind}-{spec_hash({'kind': job.kind, 'payload': job.payload}, 20)}"


def _read(path: Path) -> Outcome | None:
    try:
        raw = json.loads(path.read_text())
        return Outcome(raw["result"], raw["error"], raw["worker"])
    except (OSError, ValueError, KeyError):
        return None


def _log_tail(handle, lines: int = 3) -> str:
    try:
        text = (handle.stderr() or "").strip().splitlines()
    except Exception:
        return ""
    return f": {' | '.join(text[-lines:])}" if text else ""


def _write_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)
