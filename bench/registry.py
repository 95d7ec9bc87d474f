"""One generic registry for methods, tasks and attacks.

Entries are either objects or lazy ``"module:attr"`` targets, so ``unlearnbench list`` does not
import torch-geometric just to print names. Third-party packages add entries through the
entry-point groups ``unlearnbench.methods``, ``unlearnbench.tasks`` and ``unlearnbench.attacks``;
those are read the first time a registry is queried. Each entry knows where it came from
(``origin``: built in, or the distribution and version of its plugin) for ``unlearnbench list``.
"""

from __future__ import annotations

import difflib
import importlib
from importlib.metadata import entry_points
from typing import Callable, Generic, TypeVar

from bench.errors import UserError

T = TypeVar("T")


class UnknownNameError(UserError, KeyError):
    """A name that is not in a registry; the message carries near-match suggestions."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class DuplicateNameError(UserError, ValueError):
    """A name that another entry (built in, a plugin, or a method file) already holds."""


class Registry(Generic[T]):
    def __init__(self, kind: str, entry_point_group: str, builtins: dict[str, str]):
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._entries: dict[str, T | str] = dict(builtins)
        self._builtins = frozenset(builtins)
        self._plugin_dists: dict[str, str] = {}  # entry-point name -> "distribution version"
        self._plugins_loaded = False

    def register(self, name: str, target: T | str) -> None:
        if name in self._entries:
            raise self._duplicate(name)
        self._entries[name] = target

    def decorator(self, name: str) -> Callable[[T], T]:
        """``@register_method("scrub")``: registers the class; a lazy builtin of the same name
        (the entry that points at this very module) is replaced, not reported as a duplicate."""

        def wrap(obj: T) -> T:
            current = self._entries.get(name)
            own_target = f"{obj.__module__}:{obj.__qualname__}"
            if current is not None and current is not obj and current != own_target:
                raise self._duplicate(name)
            self._entries[name] = obj
            return obj

        return wrap

    def names(self) -> list[str]:
        self._load_plugins()
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        self._load_plugins()
        return name in self._entries

    def get(self, name: str) -> T:
        entry = self._entry(name)
        if isinstance(entry, str):
            module_name, _, attr = entry.partition(":")
            entry = getattr(importlib.import_module(module_name), attr)
            self._entries[name] = entry
        return entry

    def target(self, name: str) -> str:
        """Where an entry lives, as ``"module:attr"``, without importing it."""
        entry = self._entry(name)
        return entry if isinstance(entry, str) else f"{entry.__module__}:{entry.__qualname__}"

    def _entry(self, name: str) -> T | str:
        self._load_plugins()
        if name not in self._entries:
            raise UnknownNameError(self.unknown_message(name))
        return self._entries[name]

    def origin(self, name: str) -> str:
        """``built-in``, ``plugin <distribution> <version>`` (an entry point), or
        ``registered`` (a method file, or code that called the decorator itself)."""
        self._load_plugins()
        if name in self._builtins:
            return "built-in"
        if name in self._plugin_dists:
            return f"plugin {self._plugin_dists[name]}"
        return "registered"

    def _duplicate(self, name: str) -> DuplicateNameError:
        return DuplicateNameError(
            f"{self.kind} {name!r} is already registered ({self.origin(name)}); "
            f"give yours another name (see `unlearnbench list {self.kind}s`).")

    def unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.names(), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        return (
            f"unknown {self.kind} {name!r}.{hint} "
            f"Run `unlearnbench list {self.kind}s` to see all {len(self._entries)}."
        )

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=self.entry_point_group):
            self.register(ep.name, ep.value)
            dist = getattr(ep, "dist", None)
            self._plugin_dists[ep.name] = f"{dist.name} {dist.version}" if dist else "(unknown distribution)"


METHODS: Registry = Registry(
    "method",
    "unlearnbench.methods",
    {
        "retrain": "methods.retrain:Retrain",
        "finetune": "methods.finetune:Finetune",
        "grad_ascent": "methods.grad_ascent:GradAscent",
        "neggrad_plus": "methods.neggrad_plus:NegGradPlus",
        "random_label": "methods.random_label:RandomLabel",
        "bad_teacher": "methods.bad_teacher:BadTeacher",
        "scrub": "methods.scrub:Scrub",
        "salun": "methods.salun:SalUn",
        "l1_sparse": "methods.l1_sparse:L1Sparse",
        "ssd": "methods.ssd:SSD",
        "fisher": "methods.fisher:FisherForgetting",
        "dtd": "methods.dtd:DescentToDelete",
        "npo": "methods.npo:NPO",
        "multidelete": "methods.multidelete:MultiDelete",
    },
)
TASKS: Registry = Registry(
    "task",
    "unlearnbench.tasks",
    {
        "emoji_retrieval": "tasks.emoji_retrieval:EmojiRetrieval",
        "emoji_matching": "tasks.emoji_matching:EmojiMatching",
        "molecule_retrieval": "tasks.molecule_retrieval:MoleculeRetrieval",
        "molecule_matching": "tasks.molecule_matching:MoleculeMatching",
        "animal_mnist": "tasks.animal_mnist:AnimalMnist",
        "flickr30k": "tasks.real.flickr30k:Flickr30k",
        "coco": "tasks.real.coco:Coco",
        "snli_ve": "tasks.real.snli_ve:SnliVe",
        "nlvr2": "tasks.real.nlvr2:Nlvr2",
        "chebi20": "tasks.real.chebi20:Chebi20",
    },
)
ATTACKS: Registry = Registry(
    "attack",
    "unlearnbench.attacks",
    {
        "df_dr_auc": "attacks.df_dr_auc:DfDrAuc",
        "mia_loss": "attacks.mia_loss:MiaLoss",
        "mia_svc": "attacks.mia_svc:MiaSvc",
        "retention": "attacks.retention:Retention",
        "relearn": "attacks.relearn:Relearn",
        "ulira": "attacks.ulira:ULira",
        "validation": "bench.tuning.validation:Validation",  # tuning trials (docs/tuning.md)
    },
)

register_method = METHODS.decorator
register_task = TASKS.decorator
register_attack = ATTACKS.decorator
