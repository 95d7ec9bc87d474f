"""Known answers for the loss membership-inference attack."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import bench
from bench.directions import RETRAIN
from bench.errors import UserError
from bench.registry import ATTACKS
from attacks.mia_loss import MiaLoss, balanced_dataset, loss_feature, mia_loss


def test_separated_losses_are_fully_attackable_on_either_side():
    members = np.linspace(0.0, 0.1, 20)
    nonmembers = np.linspace(2.0, 3.0, 20)
    # The logistic regression learns the sign: low-loss members and high-loss members alike.
    for m, n in ((members, nonmembers), (nonmembers, members)):
        out = mia_loss(m, n, n_splits=5, seed=0)
        assert out == {"auc": 1.0, "acc": 1.0}


def test_identical_losses_are_chance_exactly():
    # Constant feature: constant predictions, AUC 0.5 per fold; balanced folds of 2+2 -> acc 0.5.
    out = mia_loss(np.ones(10), np.ones(10), n_splits=5, seed=0)
    assert out == {"auc": 0.5, "acc": 0.5}


def test_same_distribution_is_near_chance():
    rng = np.random.default_rng(0)
    out = mia_loss(rng.exponential(size=1000), rng.exponential(size=1000), n_splits=5, seed=0)
    assert out["auc"] == pytest.approx(0.5, abs=0.06)
    assert out["acc"] == pytest.approx(0.5, abs=0.06)


def test_classes_are_balanced_by_subsampling():
    # Unbalanced, a majority-class guess would score 1000/1010 accuracy; balanced it is 0.5.
    out = mia_loss(np.ones(10), np.ones(1000), n_splits=5, seed=0)
    assert out["acc"] == 0.5
    x, y = balanced_dataset(np.arange(10.0), np.arange(100.0, 1100.0), seed=3)
    assert y.sum() == 10 and len(y) == 20
    kept_nonmembers = np.expm1(x[y == 0, 0])
    assert set(np.round(kept_nonmembers).tolist()) <= set(range(100, 1100))
    assert len(set(kept_nonmembers.tolist())) == 10  # without replacement
    # Members the larger side: they are the ones subsampled.
    x, y = balanced_dataset(np.arange(100.0, 1100.0), np.arange(10.0), seed=3)
    assert y.sum() == 10 and len(y) == 20
    assert np.expm1(x[y == 0, 0]) == pytest.approx(np.arange(10.0))
    assert len(set(np.expm1(x[y == 1, 0]).round().tolist())) == 10
    assert mia_loss(np.ones(1000), np.ones(10), n_splits=5, seed=0)["acc"] == 0.5


def test_matches_sklearn_protocol_when_balanced():
    rng = np.random.default_rng(5)
    m, n = rng.gamma(1.0, 0.5, size=60), rng.gamma(1.5, 0.5, size=60)
    x = np.log1p(np.concatenate([m, n]))[:, None]
    y = np.r_[np.ones(60), np.zeros(60)]
    ref = cross_validate(
        make_pipeline(StandardScaler(), LogisticRegression()), x, y,
        cv=StratifiedKFold(5, shuffle=True, random_state=2), scoring=("roc_auc", "accuracy"),
    )
    out = mia_loss(m, n, n_splits=5, seed=2)
    assert out["auc"] == pytest.approx(ref["test_roc_auc"].mean())
    assert out["acc"] == pytest.approx(ref["test_accuracy"].mean())
    assert 0.5 < out["auc"] < 1.0


def test_feature_is_signed_log1p():
    assert loss_feature(np.array([0.0, np.e - 1, -(np.e - 1)])).ravel() == pytest.approx([0, 1, -1])


def test_small_and_bad_inputs():
    assert mia_loss(np.zeros(3), np.ones(3), n_splits=5, seed=0)["auc"] == 1.0  # folds clipped to 3
    with pytest.raises(ValueError):
        mia_loss(np.zeros(1), np.ones(5), n_splits=5, seed=0)
    with pytest.raises(ValueError):
        mia_loss(np.array([0.0, np.inf]), np.ones(5), n_splits=5, seed=0)
    with pytest.raises(ValueError):
        mia_loss(np.zeros(5), np.ones(5), n_splits=1, seed=0)


def _wrapper_context(fake_context):
    return fake_context({
        ("unlearned", "forget"): np.linspace(0.0, 0.1, 10),
        ("unlearned", "val"): np.linspace(3.0, 4.0, 10),
        ("unlearned", "test"): np.linspace(0.05, 0.15, 10),  # overlaps D_f: AUC below 1
        ("unlearned", "retain"): np.linspace(3.0, 4.0, 10),  # must not be used
        ("original", "forget"): np.ones(10),
        ("original", "val"): np.ones(10),
        ("original", "test"): np.ones(10),
    })


def test_wrapper_attacks_unlearned_forget_vs_val_by_default(fake_context):
    ctx = _wrapper_context(fake_context)
    out = MiaLoss().run("original", "unlearned", splits=None, context=ctx)
    assert out == {"mia.loss_auc": 1.0, "mia.loss_acc": 1.0}
    assert set(ctx.calls) == {("unlearned", "forget"), ("unlearned", "val")}  # test untouched
    assert set(out) == set(MiaLoss.directions)
    assert MiaLoss.directions == {"mia.loss_auc": RETRAIN, "mia.loss_acc": RETRAIN}


def test_wrapper_attacks_forget_vs_test_when_asked(fake_context):
    ctx = _wrapper_context(fake_context)
    out = MiaLoss(nonmembers="test").run("original", "unlearned", splits=None, context=ctx)
    assert set(ctx.calls) == {("unlearned", "forget"), ("unlearned", "test")}
    expected = mia_loss(np.linspace(0.0, 0.1, 10), np.linspace(0.05, 0.15, 10), n_splits=5, seed=0)
    assert out == {"mia.loss_auc": expected["auc"], "mia.loss_acc": expected["acc"]}
    assert out["mia.loss_auc"] < 1.0


def test_wrapper_params_and_registry():
    assert MiaLoss().get_params() == {"n_splits": 5, "nonmembers": "val"}
    assert MiaLoss(n_splits=3, nonmembers="test").get_params() == {"n_splits": 3, "nonmembers": "test"}
    assert MiaLoss.from_params("attack", "mia_loss", {"nonmembers": "test"}).nonmembers == "test"
    with pytest.raises(UserError):
        MiaLoss.from_params("attack", "mia_loss", {"nonmembers": "retain"})
    with pytest.raises(ValueError):
        MiaLoss(nonmembers="forget")
    assert issubclass(MiaLoss, bench.Attack)
    assert ATTACKS.get("mia_loss") is MiaLoss
