"""Preset files: chosen by the rule from trial records with their provenance, read back, applied
to a suite only where the suite gives no parameters and the configuration matches."""

import pytest
import yaml

from bench.errors import UserError
from bench.registry import TASKS
from bench.spec import CellSpec, canonical_json
from bench.splits import ForgetSpec
from bench.suite import Suite, expand, load_suite
from bench.tuning.presets import SHIPPED_DIR, Presets, preset_file, preset_marks, write_preset_file
from bench.tuning.tuner import tunable
from bench.tuning.selection import RULES

from tuning_records import CELL, SWEEP, sweep_records

VERSION = {"commit": "abc123", "unlearnbench": "0.1.0"}


def probe(task_params=None):
    return CellSpec.make("emoji_retrieval", task_params or {}, "grad_ascent", {"epochs": 2, "lr": 5e-5},
                         ForgetSpec(fraction=0.1), 100, {"validation": {}}, 900)


def written(tmp_path, records, task_params=None):
    content = preset_file(records, [probe(task_params)], RULES["default"], [100], 900.0, VERSION, "unlearnbench tune")
    path = tmp_path / "emoji_retrieval.yaml"
    write_preset_file(path, content)
    return path, yaml.safe_load(path.read_text())


def test_the_file_holds_the_rules_choice_and_its_provenance(tmp_path):
    path, data = written(tmp_path, sweep_records())
    chosen = data["configs"][0]["methods"]["grad_ascent"]
    assert chosen["params"] == {"lr": 1e-4, "epochs": 2}  # only the search space's parameters
    assert (chosen["trial"], chosen["feasible_trials"], chosen["trials"], chosen["tuning_s"]) == (2, 3, 5, 50.0)
    assert data["rule"] == "default" and data["budget"]["trials_per_method"] == 5
    assert data["code_version"] == VERSION and data["date"]
    assert path.read_text().startswith("# Tuned presets written by `unlearnbench tune`")
    preset = Presets([path]).get("emoji_retrieval", {}, CELL["forget"], "grad_ascent")
    assert preset.params == {"lr": 1e-4, "epochs": 2} and preset.source["tuning_seeds"] == [100]
    assert Presets([path]).get("emoji_retrieval", {"epochs": 3}, CELL["forget"], "grad_ascent") is None


def test_no_feasible_trial_writes_no_params_and_says_why(tmp_path):
    path, data = written(tmp_path, sweep_records({lr: SWEEP[lr] for lr in (2e-4, 4e-4)}))
    chosen = data["configs"][0]["methods"]["grad_ascent"]
    assert chosen["params"] is None and "defaults" in chosen["note"]
    assert Presets([path]).get("emoji_retrieval", {}, CELL["forget"], "grad_ascent") is None


def test_an_unreadable_preset_file_is_one_line(tmp_path):
    path = tmp_path / "emoji_retrieval.yaml"
    for text in ("task: emoji_retrieval\nconfigs: [\n", "", "- a list\n", "task: t\nrule: default\n"):
        path.write_text(text)
        with pytest.raises(UserError, match="unreadable.*--preset defaults") as error:
            Presets([path])
        assert "\n" not in str(error.value)


def test_a_suite_runs_the_preset_only_where_it_gives_no_parameters(tmp_path):
    task_params = TASKS.get("emoji_retrieval")().get_params()
    path, _ = written(tmp_path, [_retarget(r, task_params) for r in sweep_records()], task_params)
    presets = Presets([path])
    suite = Suite("s", {"emoji_retrieval": {}}, {"grad_ascent": {}}, [ForgetSpec(fraction=0.1)], [0], {}, 900)
    (cell,) = expand(suite, presets=presets)
    assert cell.to_dict()["method_params"] == {"epochs": 2, "lr": 1e-4}
    assert preset_marks([cell], presets)[cell.cell_id]["file"] == "emoji_retrieval.yaml"
    explicit = Suite("s", {"emoji_retrieval": {}}, {"grad_ascent": {"lr": 3e-5}}, [ForgetSpec(fraction=0.1)],
                     [0], {}, 900)
    (cell,) = expand(explicit, presets=presets)
    assert cell.to_dict()["method_params"]["lr"] == 3e-5 and preset_marks([cell], presets) == {}
    (cell,) = expand(suite, seeds=[100], presets=presets)
    with pytest.raises(UserError, match="seed 100 is a tuning seed"):
        preset_marks([cell], presets)


def _retarget(record, task_params):
    record.cell = {**record.cell, "task_params": task_params}
    return record


@pytest.mark.parametrize("suite_name", ["quick", "embedded"])
def test_shipped_presets_cover_every_tunable_method_of_the_builtin_suite(suite_name):
    """A task whose defaults change (or a method that gains a search space) leaves its presets
    stale: the suite would silently run defaults. Retune (docs/tuning.md) when this fails. A
    method with no feasible trial is covered: its entry says it runs at its defaults."""
    tuned = set()
    for path in SHIPPED_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        tuned |= {(data["task"], canonical_json([config["task_params"], config["forget"]]), method)
                  for config in data["configs"] for method in config["methods"]}
    missing = sorted({(cell.task, cell.method) for cell in expand(load_suite(suite_name)) if tunable([cell.method])
                      and (cell.task, canonical_json([cell.to_dict()["task_params"], cell.to_dict()["forget"]]),
                           cell.method) not in tuned})
    assert not missing, f"no shipped preset for {missing}"
