"""Provenance of a record: code commit, package versions, hardware, threads, and for the method
and the task where their code came from (``bench.provenance``: origin, package, source hash)."""

from __future__ import annotations

import platform
import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import torch

from bench.provenance import provenance

PACKAGES = ("unlearnbench", "torch", "transformers", "torch-geometric", "scikit-learn", "numpy",
            "safetensors", "rdkit")


@lru_cache(maxsize=None)
def code_commit() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = out.stdout.strip() or "unknown"
    return commit + ("+dirty" if dirty and commit != "unknown" else "")


@lru_cache(maxsize=None)
def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


@lru_cache(maxsize=None)
def cpu_model() -> str:
    """The CPU's model name ("AMD EPYC 7B13"), not just the architecture: float kernels and
    timings differ between CPUs of one architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware(device: torch.device) -> dict[str, str | int | None]:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpu": cpu_model(),
            "arch": platform.machine(), "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__, "cuda": torch.version.cuda}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def build_manifest(*, device: torch.device, method_cls, task_cls, forget_hash: str,
                   timings: dict[str, float], budget_s: float, reference_time: str) -> dict:
    """``reference_time``: "measured" when the retrained reference was trained in this run,
    "cache" when its training time (the speedup's numerator) was read from a model cache.
    ``method_cls`` is None for the ``original`` row (its method fields are None)."""
    return {
        "code_commit": code_commit(), "packages": package_versions(), "hardware": hardware(device),
        **provenance("method", method_cls), **provenance("task", task_cls),
        "forget_split": forget_hash, "timings": timings, "budget_s": budget_s,
        "reference_time": reference_time,
    }
