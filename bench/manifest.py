"""Provenance of a record: code commit, package versions, hardware, threads, source hashes."""

from __future__ import annotations

import hashlib
import inspect
import platform
import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import torch

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


def hardware(device: torch.device) -> dict[str, str | int]:
    info = {"platform": platform.platform(), "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(), "torch_threads": torch.get_num_threads()}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def source_hash(obj) -> str:
    """Hash of the source file that defines ``obj`` (a method, task or attack class)."""
    try:
        return hashlib.sha256(Path(inspect.getsourcefile(obj)).read_bytes()).hexdigest()[:16]
    except (TypeError, OSError):
        return "unknown"


def build_manifest(*, device: torch.device, method_cls, task_cls, forget_hash: str,
                   timings: dict[str, float]) -> dict:
    return {
        "code_commit": code_commit(), "packages": package_versions(), "hardware": hardware(device),
        "method_source": source_hash(method_cls) if method_cls else None,
        "task_source": source_hash(task_cls), "forget_split": forget_hash, "timings": timings,
    }
