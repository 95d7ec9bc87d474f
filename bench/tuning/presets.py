"""Tuned presets: the parameters ``unlearnbench tune`` selected, per (task, task params, forget
spec, method), in ``bench/presets/<task>.yaml``, with what produced them (selection rule,
trials per method, tuning seeds, date, code version). Never written by hand: ``tune`` writes
them from its trial records (``--presets-out``), and the shipped files are copies of its output.

A suite runs a method with its preset when the suite gives that method no parameters (``{}``)
and a preset exists for the task's resolved parameters and the forget spec; ``run --preset
defaults`` uses the constructor defaults instead. Those records carry ``manifest["preset"]``,
which the leaderboard's notes repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import yaml

from bench.errors import UserError
from bench.registry import METHODS
from bench.spec import canonical_json
from bench.tuning.evidence import config_of, gather
from bench.tuning.selection import MAX_UTILITY_LOSS, Rule, select
from bench.tuning.space import search_space

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "presets"
#: Beside the preset files: each task's tuning records (``trials/<task>.json.gz``, an
#: ``unlearnbench export`` file), which `make demo` imports so that its frontier shows them.
TRIALS_DIR = "trials"
PRESET = "preset"  # the manifest key of a record that ran a preset
HEADER = "# Tuned presets written by `unlearnbench tune` (docs/tuning.md). Do not edit by hand:\n" \
         "# rerun the tune command recorded below and copy its output here.\n"


@dataclass(frozen=True)
class Preset:
    params: dict[str, Any]
    source: dict[str, Any]  # what the records' manifest["preset"] says: file, rule, budget, date


class Presets:
    def __init__(self, files: Iterable[Path]):
        self._entries: dict[tuple[str, str, str], Preset] = {}
        for path in files:
            self._load(Path(path))

    def get(self, task: str, task_params: dict, forget: dict, method: str) -> Preset | None:
        return self._entries.get((task, canonical_json([task_params, forget]), method))

    def _load(self, path: Path) -> None:
        try:
            data = yaml.safe_load(path.read_text())
            source = {"file": path.name, "rule": data["rule"], "trials_per_method": data["budget"]["trials_per_method"],
                      "tuning_seeds": data["budget"]["tuning_seeds"], "date": str(data["date"]),
                      "code_version": data["code_version"]}
            for config in data["configs"]:
                key = canonical_json([config["task_params"], config["forget"]])
                for method, chosen in config["methods"].items():
                    if chosen.get("params") is not None:
                        self._entries[(data["task"], key, method)] = Preset(dict(chosen["params"]), source)
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            reason = " ".join(str(exc).split())  # the CLI prints one line
            raise UserError(f"preset file {path} is unreadable ({type(exc).__name__}: {reason}); "
                            f"restore it or run with --preset defaults.") from None


def shipped_presets() -> Presets:
    return Presets(sorted(SHIPPED_DIR.glob("*.yaml")))


def preset_marks(cells: Iterable[Any], presets: Presets) -> dict[str, dict]:
    """cell id -> ``manifest["preset"]`` for the cells that run a preset's values. A preset on
    one of its own tuning seeds is refused: those numbers would not be held out from tuning."""
    marks = {}
    for cell in cells:
        spec = cell.to_dict()
        preset = presets.get(spec["task"], spec["task_params"], spec["forget"], spec["method"])
        if preset and all(spec["method_params"].get(k) == v for k, v in preset.params.items()):
            if cell.seed in preset.source["tuning_seeds"]:
                raise UserError(f"seed {cell.seed} is a tuning seed of {spec['method']}'s preset "
                                f"(bench/presets/{preset.source['file']}); report other seeds or use "
                                f"--preset defaults.")
            marks[cell.cell_id] = preset.source
    return marks


def preset_file(records: list[Any], probes: list[Any], rule: Rule, tuning_seeds: list[int],
                budget_s: float, code_version: dict[str, str], command: str) -> dict[str, Any]:
    """The preset file of one task from the store's records: ``probes`` are one cell per
    (forget spec, method) tuned, each standing for its configuration."""
    configs: dict[str, dict] = {}
    trial_counts = set()
    for probe in probes:
        spec = probe.to_dict()
        config = configs.setdefault(config_of(spec), {"task_params": spec["task_params"],
                                                      "forget": spec["forget"], "methods": {}})
        trials, references = gather(records, config_of(spec), spec["method"])
        trial_counts.add(len(trials))
        config["methods"][spec["method"]] = _choice(spec["method"], trials, references, rule)
    task = probes[0].task
    return {"task": task, "rule": rule.name, "rule_label": rule.label,
            "budget": {"trials_per_method": max(trial_counts), "tuning_seeds": list(tuning_seeds),
                       "cell_budget_s": budget_s, "max_utility_loss": MAX_UTILITY_LOSS},
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "code_version": code_version,
            "command": command, "configs": list(configs.values())}


def _choice(method: str, trials, references, rule: Rule) -> dict[str, Any]:
    tuned = [d.name for d in search_space(METHODS.get(method))]
    cost = round(sum(t.cost_s for t in trials), 1)
    picked = select(trials, references, rule)
    if picked is None:
        return {"params": None, "trials": len(trials), "tuning_s": cost,
                "note": "no trial within the utility limit: the method runs at its defaults"}
    trial, score = picked
    feasible = sum(rule.score(t, references).feasible for t in trials)
    return {"params": {name: trial.params[name] for name in tuned}, "trial": trial.number,
            "distance": round(score.distance, 3), "feasible_trials": feasible, "trials": len(trials),
            "tuning_s": cost}


def write_preset_file(path: Path, content: dict[str, Any]) -> None:
    """Whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(HEADER + yaml.safe_dump(content, sort_keys=False))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
