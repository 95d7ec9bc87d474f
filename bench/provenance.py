"""Where the code behind a record came from: built in, a plugin package, or a method file.

Every record's manifest carries, for its method and its task, ``<kind>_origin``
(``built-in``, ``plugin``, ``file`` or ``external``: a class registered by code that is none of
these, such as a notebook), ``<kind>_package`` (``"distribution version"``; ``unlearnbench
0.1.0`` for built-ins, None for a file) and ``<kind>_source`` (``bench.source.code_hash``: the
class's module and every project module it imports). ``label`` joins them into the one string
a leaderboard shows, e.g. ``plugin unlearnbench-example-plugin 0.1.0 @ 3f2a9c1d0b7e4a55``.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, packages_distributions, version

from bench.method_file import is_method_file_module
from bench.source import code_hash

BUILTIN_PACKAGES = frozenset({"bench", "methods", "tasks", "attacks"})
DISTRIBUTION = "unlearnbench"


@lru_cache(maxsize=None)
def _version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def origin(cls) -> tuple[str, str | None]:
    """(origin, package) of a class: see the module docstring."""
    module = cls.__module__
    top = module.partition(".")[0]
    if is_method_file_module(module):
        return "file", None
    if top in BUILTIN_PACKAGES:
        return "built-in", f"{DISTRIBUTION} {_version(DISTRIBUTION)}"
    for distribution in _distributions().get(top, []):
        return "plugin", f"{distribution} {_version(distribution)}"
    return "external", None


def provenance(kind: str, cls) -> dict[str, str | None]:
    """``{kind}_origin``, ``{kind}_package``, ``{kind}_source`` (and ``{kind}_file`` for a
    method file: its path) of ``cls``; all None for no class (the ``original`` row)."""
    if cls is None:
        return {f"{kind}_origin": None, f"{kind}_package": None, f"{kind}_source": None}
    where, package = origin(cls)
    found = {f"{kind}_origin": where, f"{kind}_package": package, f"{kind}_source": code_hash(cls)}
    if where == "file":
        found[f"{kind}_file"] = getattr(sys.modules[cls.__module__], "__file__", None)
    return found


def label(manifest: dict, kind: str = "method") -> str:
    """One display string of a manifest's provenance, '' where it has none."""
    where = manifest.get(f"{kind}_origin")
    if where is None:
        return ""
    parts = [where, manifest.get(f"{kind}_package") or ""]
    source = manifest.get(f"{kind}_source")
    return " ".join(p for p in parts if p) + (f" @ {source}" if source else "")
