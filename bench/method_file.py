"""Methods from a single Python file (``unlearnbench run --method-file``, ``check-method PATH``).

The file is imported as a module of its own (``unlearnbench_file_<stem>_<hash of its path>``,
kept in ``sys.modules``), so its ``@bench.register_method`` decorators run, ``bench.source``
hashes its code like a built-in method's (the file plus every project module it imports), and
``bench.provenance`` can tell it came from a file. Loading is idempotent per path: a cell that
carries ``method_file`` (``CellSpec.method_file``) can load it again in whichever process runs
it, which is how the file travels with the job.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

from bench.errors import UserError, describe
from bench.registry import METHODS, DuplicateNameError

MODULE_PREFIX = "unlearnbench_file_"

_loaded: dict[Path, list[str]] = {}  # resolved path -> names it registered


def load_method_file(path: str | Path) -> list[str]:
    """Imports ``path`` and returns the names of the methods it registered (sorted).

    Raises ``UserError`` (one line) for a missing or non-``.py`` path, a file that fails to
    import, or one that registers no method; ``DuplicateNameError`` (also a ``UserError``) when
    it registers a name another method already holds.
    """
    resolved = Path(path).expanduser().resolve()
    if resolved in _loaded:
        return _loaded[resolved]
    if not resolved.is_file() or resolved.suffix != ".py":
        raise UserError(f"{path}: no such Python file; give the path of a .py file that "
                        "registers a method with @bench.register_method(\"name\").")
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    module_name = f"{MODULE_PREFIX}{resolved.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    module = importlib.util.module_from_spec(spec)
    before = set(METHODS.names())
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except DuplicateNameError:
        del sys.modules[module_name]
        raise
    except Exception as exc:  # the file is the user's: one line, not a traceback
        del sys.modules[module_name]
        raise UserError(f"{path}: importing it failed: {describe(exc)}") from None
    names = sorted(set(METHODS.names()) - before)
    if not names:
        del sys.modules[module_name]
        raise UserError(f"{path}: registers no method; decorate your bench.Method subclass with "
                        "@bench.register_method(\"your_name\") (see `unlearnbench new-method`).")
    _loaded[resolved] = names
    return names


def is_method_file_module(module: str) -> bool:
    return module.startswith(MODULE_PREFIX)


def method_class(name: str, method_file: str | None = None) -> type:
    """The class registered as ``name``, loading ``method_file`` first where one is given (a
    cell's ``method_file``, in a process that has not loaded it yet)."""
    if method_file is not None:
        load_method_file(method_file)
    return METHODS.get(name)
