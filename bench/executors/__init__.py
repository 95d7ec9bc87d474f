"""Executors: where a run's JSON jobs execute (``unlearnbench run --executor``).

``inline`` runs them in the driver's process; ``local`` in a pool of fresh processes on this
machine; ``ray`` on Ray actors of a Ray cluster (or a local Ray); ``slurm`` as Slurm job arrays
through submitit. The driver (``bench.runner``) is the same for all: it plans the jobs, ingests
their results and alone writes the store. ``add_arguments`` and ``from_args`` are the run
command's executor flags (docs/executors.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.errors import UserError
from bench.executors.base import Executor

EXECUTORS = ("inline", "local", "ray", "slurm")


def make_executor(name: str, *, device: str = "cpu", workers: int | None = None,
                  threads: int | None = None, max_memory_gb: float | None = None,
                  ray_address: str | None = None, slurm_options: dict[str, str] | None = None,
                  folder: Path | str = "results/slurm", warm: bool = False) -> Executor:
    max_memory_mb = max_memory_gb * 1024 if max_memory_gb else None
    if name == "inline":
        from bench.executors.inline import InlineExecutor

        return InlineExecutor()
    if name == "local":
        from bench.executors.local import LocalExecutor

        return LocalExecutor.for_device(device, workers, threads, max_memory_mb, warm)
    if name == "ray":
        from bench.executors.ray_executor import RayExecutor

        return RayExecutor(ray_address, num_cpus=threads or 1, num_gpus=1 if device == "cuda" else 0,
                           workers=workers, max_memory_mb=max_memory_mb)
    if name == "slurm":
        from bench.executors.slurm_executor import SlurmExecutor

        options = dict(slurm_options or {})
        if device == "cuda":
            options.setdefault("gpus", "1")
        if threads:
            options.setdefault("cpus", str(threads))
        if workers:
            options.setdefault("array_parallelism", str(workers))
        return SlurmExecutor(folder, options, max_memory_mb)
    raise ValueError(f"unknown executor {name!r}; one of {', '.join(EXECUTORS)}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The run command's executor flags."""
    parser.add_argument("--executor", default="inline", choices=EXECUTORS,
                        help="inline: every job in this process; local: a pool of worker processes, a "
                             "fresh one per cell (peak memory is the cell's own), one per CUDA device; "
                             "ray: Ray actors, a fresh process per cell (--ray-address); slurm: submitit "
                             "job arrays (--slurm-option)")
    parser.add_argument("--workers", type=int,
                        help="jobs at once. local: worker processes (CPU: default 1, torch threads "
                             "divided between them; CUDA: default one per device); ray: default what "
                             "the cluster holds; slurm: the array's parallelism (default 64)")
    parser.add_argument("--max-memory-gb", type=float, metavar="GB",
                        help="local/ray/slurm: each cell's memory limit; a cell past it fails with the "
                             "reason (CPU: the process's address space; CUDA: its resident memory)")
    parser.add_argument("--warm", action="store_true",
                        help="local: each worker process serves many cells (torch and the group's models "
                             "stay loaded); cells then record their RSS growth, cost.peak_rss_delta_mb, "
                             "instead of cost.peak_rss_mb (docs/executors.md)")
    parser.add_argument("--ray-address", metavar="ADDR",
                        help="ray: the cluster to connect to (e.g. ray://head:10001 or auto; default: "
                             "$RAY_ADDRESS, else a local Ray started for the run); --threads is each "
                             "cell's CPUs, --device cuda gives each cell one GPU")
    parser.add_argument("--slurm-option", action="append", default=[], metavar="KEY=VALUE",
                        help="slurm: repeatable; partition, account, qos, time (minutes), gpus, cpus, "
                             "mem_gb, array_parallelism, constraint, exclude, setup, folder (default "
                             "RESULTS/slurm), cluster=local (try it on this machine); other keys go to "
                             "sbatch as --KEY=VALUE")


def from_args(args: argparse.Namespace, results: Path) -> Executor:
    """The executor the parsed run flags ask for (after checking them)."""
    name = args.executor
    if args.workers is not None and (name == "inline" or args.workers < 1):
        raise UserError(f"--workers {args.workers}: give a positive number, with --executor local, ray or slurm.")
    if args.max_memory_gb is not None and (name == "inline" or args.max_memory_gb <= 0):
        raise UserError(f"--max-memory-gb {args.max_memory_gb}: give a positive number, with --executor "
                        f"local, ray or slurm (inline runs in this process, which it cannot limit).")
    if args.warm and name != "local":
        raise UserError("--warm goes with --executor local.")
    if args.ray_address and name != "ray":
        raise UserError("--ray-address goes with --executor ray.")
    if args.slurm_option and name != "slurm":
        raise UserError("--slurm-option goes with --executor slurm.")
    slurm_options = None
    folder = results / "slurm"
    if name == "slurm":
        from bench.executors.slurm_executor import parse_options

        slurm_options = parse_options(args.slurm_option)
        folder = Path(slurm_options.pop("folder", folder))
    return make_executor(name, device=args.device, workers=args.workers, threads=args.threads,
                         max_memory_gb=args.max_memory_gb, ray_address=args.ray_address,
                         slurm_options=slurm_options, folder=folder, warm=args.warm)
