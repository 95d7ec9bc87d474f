"""Hashes of the code behind a result: a class's module and every project module it imports.

A cell's id and the model cache key include these hashes, so editing a method, a task, or a
helper they import (``bench.loops``, ``tasks/training.py``) yields new cells and retrains cached
models instead of silently reusing results of other code. Only the project's own packages are
followed; third-party versions are in the manifest. Imports are read statically (``ast``), and
``from pkg import name`` also follows ``name`` to the module that defines it (``bench``'s lazy
exports, re-exports).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import inspect
from functools import lru_cache
from pathlib import Path

PROJECT_PACKAGES = ("bench", "methods", "tasks", "attacks")
# Plumbing that cannot change a number: registering a new method must not invalidate every
# cached model and record.
NOT_FOLLOWED = frozenset({"bench", "bench.registry", "bench.errors"})


def _in_project(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in PROJECT_PACKAGES and module not in NOT_FOLLOWED


def _file(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _defining_module(package: str, name: str) -> str | None:
    try:
        obj = getattr(importlib.import_module(package), name, None)
    except ImportError:
        return None
    return getattr(obj, "__module__", None) if obj is not None else None


def _imports(module: str, path: Path) -> set[str]:
    """Project modules ``module`` imports (absolute and relative imports)."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module or ""
            found.add(base)
            if base.split(".")[0] not in PROJECT_PACKAGES:
                continue  # resolving its names would import it (transformers: ~0.7 s), to no end
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if _file(sub) else _defining_module(base, alias.name) or base)
    return {m for m in found if _in_project(m)}


@lru_cache(maxsize=None)
def module_closure(module: str) -> tuple[tuple[str, str], ...]:
    """(module, sha256 of its file) for ``module`` and every project module it reaches."""
    seen: dict[str, str] = {}
    todo = [module]
    while todo:
        name = todo.pop()
        path = _file(name)
        if name in seen or path is None:
            continue
        seen[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        todo.extend(_imports(name, path) - set(seen))
    return tuple(sorted(seen.items()))


def code_hash(obj) -> str:
    """Hash of the code behind a class: its module and the project modules it imports."""
    module = getattr(obj, "__module__", None)
    if module is None or _file(module) is None:
        try:
            return hashlib.sha256(Path(inspect.getsourcefile(obj)).read_bytes()).hexdigest()[:16]
        except (TypeError, OSError):
            return "unknown"
    closure = module_closure(module)
    return hashlib.sha256(repr(closure).encode()).hexdigest()[:16]
