"""Trained models (the original and the retrained reference), cached as safetensors.

A file is keyed by the hash of what determines it (task + params + seed [+ forget split] + the
task's source) and carries that spec and a SHA-256 checksum of its tensors. On load the stored
spec, the checksum, the tensor names and shapes are checked against a fresh model; a corrupt,
truncated or mismatching file is rebuilt, never trusted. No pickle is read.

Writes are atomic (a temporary file renamed into place) and made under an exclusive ``fcntl``
lock on a ``.lock`` file beside the model: when two processes (workers of one run, or two runs
sharing a cache) ask for the same missing model, one trains it and the other waits and loads it.
The kernel releases the lock of a process that dies, so a killed training never blocks a rerun.
``locked`` and ``tensor_checksum`` serve the text-feature cache (``tasks.text_features``) too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from bench.spec import canonical_json, spec_hash

FORMAT = "unlearnbench.model/3"  # /3: with the checksum


@dataclass
class CachedModel:
    model: torch.nn.Module
    costs: dict[str, float]  # cost.* of the training that produced it (not of the load)
    from_cache: bool

    @property
    def train_s(self) -> float:
        return self.costs["cost.unlearn_s"]


class ModelCache:
    def __init__(self, root: Path | str):
        self.root = Path(root) / "models"
        #: Models of each kind trained (and their seconds) or loaded by this cache object: the
        #: run summary shows that originals and references are trained once, never per method.
        self.trained: Counter[str] = Counter()
        self.train_s: Counter[str] = Counter()
        self.loaded: Counter[str] = Counter()

    def path(self, kind: str, spec: dict) -> Path:
        return self.root / f"{kind}-{spec_hash(spec)}.safetensors"

    def get_or_train(self, kind: str, spec: dict, new_model: Callable[[], torch.nn.Module],
                     train: Callable[[torch.nn.Module], tuple[torch.nn.Module, dict]]) -> CachedModel:
        """``train(model) -> (model, costs)`` runs only when no valid file exists."""
        path = self.path(kind, spec)
        with locked(path.with_name(path.name + ".lock")):
            model = new_model()
            loaded = self._load(path, spec, model)
            if loaded is not None:
                self.loaded[kind] += 1
                return loaded
            model, costs = train(model)
            self._save(path, spec, model, costs)
        self.trained[kind] += 1
        self.train_s[kind] += costs["cost.unlearn_s"]
        return CachedModel(model, dict(costs), False)

    def _load(self, path: Path, spec: dict, model: torch.nn.Module) -> CachedModel | None:
        if not path.exists():
            return None
        try:
            with safe_open(str(path), framework="pt") as f:
                meta = f.metadata() or {}
                expected = model.state_dict()
                if meta.get("format") != FORMAT or meta.get("spec") != canonical_json(spec):
                    return None
                if set(f.keys()) != set(expected):
                    return None
                state = {k: f.get_tensor(k) for k in f.keys()}
            if meta.get("checksum") != tensor_checksum(state):
                return None
            if any(state[k].shape != v.shape or state[k].dtype != v.dtype for k, v in expected.items()):
                return None
            if not all(torch.isfinite(t).all() for t in state.values() if t.is_floating_point()):
                return None
            model.load_state_dict(state, strict=True)
            costs = {k: float(v) for k, v in json.loads(meta["costs"]).items()}
            return CachedModel(model.eval(), costs, True)
        except (SafetensorError, OSError, KeyError, ValueError, RuntimeError, json.JSONDecodeError):
            return None

    def _save(self, path: Path, spec: dict, model: torch.nn.Module, costs: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        meta = {"format": FORMAT, "spec": canonical_json(spec), "costs": json.dumps(costs),
                "checksum": tensor_checksum(state)}
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        save_file(state, str(tmp), metadata=meta)
        tmp.replace(path)  # atomic: a crash never leaves a half-written cache file


def tensor_checksum(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over the tensors' names, dtypes, shapes and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    """Holds an exclusive lock on ``lock_path`` (created if missing; never deleted, since
    removing a lock file another process is waiting on would let a third one in)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
