from bench.spec import CellSpec
from bench.splits import ForgetSpec


def _cell(**over):
    args = dict(task="emoji_retrieval", task_params={"epochs": 15, "dim": 128}, method="multidelete",
                method_params={"lr": 5e-4, "epochs": 8}, forget=ForgetSpec(), seed=0,
                attacks={"df_dr_auc": {"n_chunks": 5}, "mia_loss": {"n_splits": 5}}, budget_s=900,
                code={"task": "t0", "method": "m0"})
    args.update(over)
    return CellSpec.make(**args)


def test_cell_id_is_stable_across_runs_and_param_order():
    # A literal: if this changes, every stored record silently stops matching its cell.
    assert _cell().cell_id == "e3ef153a161ff494"
    assert _cell().cell_id == _cell(task_params={"dim": 128, "epochs": 15}).cell_id


def test_cell_id_changes_with_what_determines_the_result():
    base = _cell().cell_id
    assert _cell(seed=1).cell_id != base
    assert _cell(method_params={"lr": 1e-3, "epochs": 8}).cell_id != base
    assert _cell(forget=ForgetSpec(fraction=0.05)).cell_id != base
    assert _cell(attacks={"df_dr_auc": {"n_chunks": 1}, "mia_loss": {"n_splits": 5}}).cell_id != base
    assert _cell(attacks={"df_dr_auc": {"n_chunks": 5}}).cell_id != base
    assert _cell(device="cuda").cell_id != base
    assert _cell(code={"task": "t0", "method": "m1"}).cell_id != base
    assert _cell(code={"task": "t1", "method": "m0"}).cell_id != base


def test_cell_id_ignores_budget_and_attack_order():
    base = _cell()
    assert _cell(budget_s=100).cell_id == base.cell_id and _cell(budget_s=100) == base
    reordered = _cell(attacks={"mia_loss": {"n_splits": 5}, "df_dr_auc": {"n_chunks": 5}})
    assert reordered.cell_id == base.cell_id


def test_cells_are_hashable_and_round_trip_to_dict():
    cell = _cell()
    assert len({cell, _cell()}) == 1
    assert cell.to_dict()["method_params"] == {"lr": 5e-4, "epochs": 8}
    assert cell.to_dict()["attacks"] == {"df_dr_auc": {"n_chunks": 5}, "mia_loss": {"n_splits": 5}}
    assert "budget_s" not in cell.to_dict()
    reference = cell.reference()
    assert reference.method == "original" and reference.group_key() == cell.group_key()
    assert dict(reference.code) == {"task": "t0"}
