"""The tuning loop: for each (task, forget spec, method), an Optuna study of N trials, each trial
one parameter setting run on every tuning seed through the ordinary runner (so trials are cells:
cached originals and references, budgets, failures, resume, and records in the store).

Every study is seeded (TPE, seed from the study's name), stored in ``optuna.sqlite`` beside
the results and resumed by name: an interrupted trial is finished with its own parameters
(cells already stored are skipped), and a study that holds N finished trials runs nothing. Each
study's first trial is the method's defaults, so tuning is judged against where it started.
The objective is the selection rule's score, computed from the stored records; the presets
are chosen afterwards from all stored trials by the same rule (``bench.tuning.presets``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import optuna

from bench.errors import UserError
from bench.registry import METHODS
from bench.runner import Runner
from bench.spec import CellSpec, canonical_json, spec_hash
from bench.suite import Suite, expand
from bench.tuning.evidence import RETRAIN, config_of, gather
from bench.tuning.marks import MarkingStore
from bench.tuning.selection import Rule
from bench.tuning.space import defaults_in_space, search_space

STUDIES_FILE = "optuna.sqlite"
TRIAL_ATTACKS = {"validation": {}}  # what the default rule reads besides the task's own metrics


@dataclass
class StudyResult:
    task: str
    method: str
    trials: int
    wall_s: float  # this session's time on the study (a resumed study counts less)


@dataclass
class TuneSummary:
    studies: list[StudyResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def check_seeds(tuning_seeds: list[int], reported_seeds: list[int]) -> None:
    overlap = sorted(set(tuning_seeds) & set(reported_seeds))
    if overlap:
        raise UserError(f"tuning seeds {overlap} are also reported seeds; tune on seeds the suite does not "
                        f"report (e.g. --tuning-seeds {max(reported_seeds) + 100}).")


def tunable(methods: list[str]) -> list[str]:
    return [m for m in methods if search_space(METHODS.get(m))]


class Tuner:
    def __init__(self, suite: Suite, store: MarkingStore, runner: Runner, results: Path, rule: Rule,
                 trials: int, tuning_seeds: list[int], device: str = "cpu"):
        self.suite = replace(suite, seeds=tuning_seeds, attacks=TRIAL_ATTACKS)
        self.store, self.runner, self.rule, self.trials, self.device = store, runner, rule, trials, device
        self.storage = f"sqlite:///{Path(results).resolve() / STUDIES_FILE}"
        optuna.logging.set_verbosity(optuna.logging.WARNING)

    def cells(self, task: str, forget, method: str, params: dict) -> list[CellSpec]:
        one = replace(self.suite, tasks={task: self.suite.tasks[task]}, methods={method: params}, forget=[forget])
        return expand(one, device=self.device)

    def run(self, tasks: list[str], methods: list[str]) -> TuneSummary:
        summary = TuneSummary()
        for task in tasks:
            for forget in self.suite.forget:
                references = self.cells(task, forget, RETRAIN, {})  # the frontier's and the oracle's
                self._run(references, {"role": "reference"}, summary)
                for method in tunable(methods):
                    summary.studies.append(self._study(task, forget, method, summary))
        return summary

    def _study(self, task: str, forget, method: str, summary: TuneSummary) -> StudyResult:
        probe = self.cells(task, forget, method, {})[0]
        name = study_name(probe, self.rule.name, self.suite.seeds)
        study = optuna.create_study(
            study_name=name, storage=self.storage, direction="minimize", load_if_exists=True,
            sampler=optuna.samplers.TPESampler(seed=int(spec_hash(name, 8), 16),
                                               n_startup_trials=max(2, self.trials // 2)))
        if not study.trials:
            study.enqueue_trial(defaults_in_space(METHODS.get(method)))
        dims = search_space(METHODS.get(method))
        started = time.perf_counter()
        states = optuna.trial.TrialState
        for stale in study.get_trials(deepcopy=False, states=(states.RUNNING,)):  # interrupted before
            if set(stale.params) != {d.name for d in dims}:  # stopped before its values were drawn
                study.tell(stale.number, state=states.FAIL)
                continue
            study.tell(stale.number, self._trial(task, forget, method, stale.params, name, stale.number, summary))
        while len(study.get_trials(deepcopy=False, states=(states.COMPLETE,))) < self.trials:
            trial = study.ask()
            params = {d.name: d.suggest(trial) for d in dims}
            study.tell(trial, self._trial(task, forget, method, params, name, trial.number, summary))
        return StudyResult(task, method, self.trials, time.perf_counter() - started)

    def _trial(self, task: str, forget, method: str, params: dict, name: str, number: int,
               summary: TuneSummary) -> float:
        cells = self.cells(task, forget, method, params)
        self._run(cells, {"role": "trial", "study": name, "trial": number, "rule": self.rule.name}, summary)
        resolved = cells[0].to_dict()["method_params"]
        trials, references = gather(self.store.records(), config_of(cells[0].to_dict()), method)
        trial = next(t for t in trials if canonical_json(t.params) == canonical_json(resolved))
        score = self.rule.score(trial, references)
        print(f"  trial {number} of {method} on {task} {params}: "
              + (f"distance {score.distance:.2f}" if score.feasible else f"infeasible ({score.reason})"))
        return score.objective

    def _run(self, cells: list[CellSpec], mark: dict, summary: TuneSummary) -> None:
        for cell in cells:
            self.store.marks.setdefault(cell.reference().cell_id, {"role": "reference"})
            self.store.marks[cell.cell_id] = mark
        summary.failures += self.runner.run(cells).failures


def study_name(probe: CellSpec, rule: str, seeds: list[int]) -> str:
    """Readable, and unique per configuration, method, tuning seeds and rule."""
    cell = probe.to_dict()
    return f"{cell['task']}/{probe.forget.label()}/{cell['method']}/{rule}/{spec_hash([config_of(cell), seeds], 8)}"
