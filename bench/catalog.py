"""What ``unlearnbench list methods|tasks|attacks`` prints: per entry its name, where it comes
from (built in, or a plugin's distribution and version) and a one-line summary.

The summary is the first sentence of the entry's module docstring, which by convention says what
it is and which paper it comes from (``SCRUB (Kurmanji et al., NeurIPS 2023, ...)``). It is read
from the source with ``ast``, without importing the module, so listing stays quick and does not
load torch.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass

from bench.registry import Registry

MAX_SUMMARY = 110


@dataclass(frozen=True)
class Entry:
    name: str
    origin: str
    summary: str


def first_sentence(docstring: str) -> str:
    """The docstring's first paragraph up to the first full stop outside parentheses."""
    paragraph = " ".join(docstring.strip().split("\n\n")[0].split())
    depth = 0
    for i, char in enumerate(paragraph):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "." and depth == 0 and (i + 1 == len(paragraph) or paragraph[i + 1] == " "):
            paragraph = paragraph[: i + 1]
            break
    return paragraph if len(paragraph) <= MAX_SUMMARY else paragraph[: MAX_SUMMARY - 1].rstrip() + "…"


def module_docstring(module: str) -> str:
    """The docstring of ``module``'s source file, '' when it has none or cannot be found."""
    try:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return ""
        with open(spec.origin, "rb") as source:
            return ast.get_docstring(ast.parse(source.read())) or ""
    except (ImportError, ValueError, OSError, SyntaxError):
        return ""


def entries(registry: Registry) -> list[Entry]:
    found = []
    for name in registry.names():
        module = registry.target(name).partition(":")[0]
        summary = first_sentence(module_docstring(module)) or "(no module docstring)"
        found.append(Entry(name, registry.origin(name), summary))
    return found


def render(found: list[Entry]) -> str:
    """Aligned columns: name, origin, summary."""
    width_name = max((len(e.name) for e in found), default=0)
    width_origin = max((len(e.origin) for e in found), default=0)
    return "\n".join(f"{e.name:<{width_name}}  {e.origin:<{width_origin}}  {e.summary}" for e in found)
