from bench.spec import CellSpec
from bench.splits import ForgetSpec


def _cell(**over):
    args = dict(task="emoji_retrieval", task_params={"epochs": 15, "dim": 128}, method="multidelete",
                method_params={"lr": 5e-4, "epochs": 8}, forget=ForgetSpec(), seed=0,
                attacks=["df_dr_auc"], budget_s=900)
    args.update(over)
    return CellSpec.make(**args)


def test_cell_id_is_stable_across_runs_and_param_order():
    # A literal: if this changes, every stored record silently stops matching its cell.
    assert _cell().cell_id == "3263c0bf00317e26"
    assert _cell().cell_id == _cell(task_params={"dim": 128, "epochs": 15}).cell_id


def test_cell_id_changes_with_any_field():
    base = _cell().cell_id
    assert _cell(seed=1).cell_id != base
    assert _cell(method_params={"lr": 1e-3, "epochs": 8}).cell_id != base
    assert _cell(forget=ForgetSpec(fraction=0.05)).cell_id != base
    assert _cell(budget_s=100).cell_id != base


def test_cells_are_hashable_and_round_trip_to_dict():
    cell = _cell()
    assert len({cell, _cell()}) == 1
    assert cell.to_dict()["method_params"] == {"lr": 5e-4, "epochs": 8}
    assert cell.reference().method == "original"
    assert cell.reference().group_key() == cell.group_key()
