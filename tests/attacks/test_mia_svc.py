"""Known answers for the SVC MIA-efficacy attack and its features."""

import numpy as np
import pytest

import bench
from bench.directions import RETRAIN
from bench.pair_model import CLASSIFICATION, RETRIEVAL
from bench.errors import UserError
from bench.registry import ATTACKS
from attacks.mia_svc import (
    FEATURES, MiaSvc, balanced_subsample, confidence, entropy, mia_svc, modified_entropy,
    share_predicted_nonmember, split_distractors,
)


def binary(match_probs):
    """Retrieval-style rows: [p(no match), p(match)], true class 1 (matched)."""
    p = np.asarray(match_probs, dtype=float)
    return np.stack([1 - p, p], axis=1), np.ones(len(p), dtype=int)


# -- features -------------------------------------------------------------------------------


def test_modified_entropy_hand_case_and_not_the_copied_bug():
    probs = np.array([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1]])
    targets = np.array([0, 1])
    correct = [
        -0.3 * np.log(0.7) - 0.2 * np.log(0.8) - 0.1 * np.log(0.9),  # y = 0
        -0.8 * np.log(0.2) - 0.7 * np.log(0.3) - 0.1 * np.log(0.9),  # y = 1: per-row labels
    ]
    assert modified_entropy(probs, targets) == pytest.approx(correct, rel=1e-12)
    # The public SVC_MIA.py takes log(p_i) for i != y: a different number.
    broken = -0.3 * np.log(0.7) - 0.2 * np.log(0.2) - 0.1 * np.log(0.1)
    assert abs(modified_entropy(probs, targets)[0] - broken) > 0.4


def test_modified_entropy_is_zero_at_a_confident_correct_prediction_and_finite_when_wrong():
    assert modified_entropy(np.array([[1.0, 0.0, 0.0]]), np.array([0])) == pytest.approx([0.0], abs=1e-12)
    wrong = modified_entropy(np.array([[1.0, 0.0, 0.0]]), np.array([1]))
    # -(1 - 0) log(1e-30) - 1 * log(1e-30 clip of 1 - 1): two clipped logs, large but finite.
    assert wrong == pytest.approx([-2 * np.log(1e-30)])


def test_confidence_and_entropy_hand_cases():
    probs = np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0]])
    assert confidence(probs, np.array([0, 2])) == pytest.approx([0.7, 0.0])
    assert entropy(probs, np.array([0, 2])) == pytest.approx(
        [-(0.7 * np.log(0.7) + 0.2 * np.log(0.2) + 0.1 * np.log(0.1)), np.log(2)])  # 0 log 0 = 0
    assert set(FEATURES) == {"conf", "entropy", "m_entropy"}


# -- the attack -----------------------------------------------------------------------------

MEMBERS = binary(np.linspace(0.9, 0.99, 40))      # confident: entropy <= 0.33, Mentr small
NONMEMBERS = binary(np.linspace(0.2, 0.45, 40))   # unsure: entropy >= 0.50, Mentr large


def test_separable_forget_set_scores_zero_or_one_on_every_feature():
    member_like = binary(np.linspace(0.92, 0.97, 15))
    nonmember_like = binary(np.linspace(0.25, 0.4, 15))
    assert mia_svc(MEMBERS, NONMEMBERS, member_like) == {name: 0.0 for name in FEATURES}
    assert mia_svc(MEMBERS, NONMEMBERS, nonmember_like) == {name: 1.0 for name in FEATURES}
    half = binary(np.r_[np.linspace(0.92, 0.97, 5), np.linspace(0.25, 0.4, 15)])
    assert mia_svc(MEMBERS, NONMEMBERS, half) == {name: 0.75 for name in FEATURES}


def test_inseparable_pools_give_a_chance_level_attacker():
    # One distribution for members and non-members. A single SVC fitted on noise may call any
    # share of a fresh draw non-member (it picks regions of noise), so the known answer is not
    # "efficacy 0.5" but a chance-level attacker: on fresh members and fresh non-members its
    # balanced accuracy is 0.5 (tolerance 0.05, about 6 standard errors at 2000 per side), and
    # D_f from the same distribution is called non-member as often as fresh held-out data.
    rng = np.random.default_rng(0)

    def draw(n):
        return rng.dirichlet(np.ones(10), size=n), rng.integers(0, 10, size=n)

    members, nonmembers, fresh_members, fresh_nonmembers = draw(400), draw(400), draw(2000), draw(2000)
    for name, feature in FEATURES.items():
        train = feature(*members), feature(*nonmembers)
        nonmember_rate = share_predicted_nonmember(*train, feature(*fresh_nonmembers))
        member_rate = share_predicted_nonmember(*train, feature(*fresh_members))
        balanced_accuracy = (nonmember_rate + 1 - member_rate) / 2
        assert balanced_accuracy == pytest.approx(0.5, abs=0.05), name
    assert 0 < mia_svc(members, nonmembers, fresh_members)["m_entropy"] < 1


def test_modified_entropy_sees_what_confidence_cannot():
    # Same confidence on the true class, mass spread differently among the others: confidence
    # cannot tell them apart, Mentr can (Song & Mittal's point: it uses the true class).
    members = np.tile([0.6, 0.4, 0.0], (30, 1)), np.zeros(30, dtype=int)
    nonmembers = np.tile([0.6, 0.2, 0.2], (30, 1)), np.zeros(30, dtype=int)
    forget = np.tile([0.6, 0.2, 0.2], (10, 1)), np.zeros(10, dtype=int)
    out = mia_svc(members, nonmembers, forget)
    assert out["m_entropy"] == 1.0 and out["entropy"] == 1.0
    assert out["conf"] in (0.0, 1.0)  # a constant feature: one class for every row, either one


def test_balanced_subsample_caps_and_balances():
    m, n = balanced_subsample(1371, 190, 1000, seed=0)
    assert len(m) == len(n) == 190
    assert len(set(m.tolist())) == 190 and m.max() < 1371 and (np.diff(m) > 0).all()
    assert n.tolist() == list(range(190))  # the whole smaller pool
    m, n = balanced_subsample(5000, 3000, 1000, seed=1)
    assert len(m) == len(n) == 1000 and n.max() < 3000
    assert [a.tolist() for a in balanced_subsample(50, 40, 10, 7)] == [a.tolist() for a in balanced_subsample(50, 40, 10, 7)]
    assert balanced_subsample(50, 40, 10, 7)[0].tolist() != balanced_subsample(50, 40, 10, 8)[0].tolist()
    with pytest.raises(ValueError):
        balanced_subsample(0, 10, 10, 0)


def test_bad_inputs():
    with pytest.raises(ValueError):
        mia_svc(MEMBERS, NONMEMBERS, (np.empty((0, 2)), np.empty(0, dtype=int)))
    with pytest.raises(ValueError):
        mia_svc(MEMBERS, binary([0.2, np.nan]), MEMBERS)
    with pytest.raises(ValueError):
        mia_svc(MEMBERS, NONMEMBERS, (np.ones(3), np.ones(3, dtype=int)))


# -- the wrapper ----------------------------------------------------------------------------


class FakeModel:
    """A name standing for a model of ``kind``."""

    def __init__(self, name, kind=CLASSIFICATION):
        self.name, self.kind = name, kind


class ProbsContext:
    """Per-model [N, 2] probabilities over a 200-item dataset; records every index set asked.
    ``ranking_probs`` (retrieval) returns the same rows padded with distractor columns."""

    def __init__(self, probs_by_model, splits, seed=0):
        self.probs_by_model, self.splits, self.seed, self.calls = probs_by_model, splits, seed, []

    def indices(self, part):
        return np.asarray(self.splits[part]) if isinstance(part, str) else np.asarray(part)

    def probs(self, model, part):
        idx = self.indices(part)
        self.calls.append((model.name, part if isinstance(part, str) else tuple(idx.tolist())))
        return binary(self.probs_by_model[model.name][idx])

    def ranking_probs(self, model, part, distractors):
        self.calls.append(("distractors", tuple(np.asarray(distractors).tolist())))
        probs, targets = self.probs(model, part)
        # own caption first (the true class), the rest spread over the distractors
        rest = np.repeat(probs[:, :1] / len(distractors), len(distractors), axis=1)
        return np.concatenate([probs[:, 1:], rest], axis=1), np.zeros_like(targets)


ORIGINAL, UNLEARNED = FakeModel("original"), FakeModel("unlearned")


def _context(**kwargs):
    splits = {"retain": np.arange(0, 120), "val": np.arange(120, 150), "test": np.arange(150, 180),
              "forget": np.arange(180, 200)}
    unlearned = np.empty(200)
    unlearned[:120] = np.linspace(0.9, 0.99, 120)   # D_r: confident
    unlearned[120:150] = np.linspace(0.2, 0.4, 30)  # val: unsure
    unlearned[150:180] = 0.95                       # test: looks like members
    unlearned[180:] = np.linspace(0.25, 0.35, 20)   # D_f: forgotten, looks like val
    original = np.full(200, 0.95)                   # would give efficacy 0 if (wrongly) used
    return ProbsContext({"unlearned": unlearned, "original": original}, splits, **kwargs)


def test_wrapper_attacks_unlearned_forget_with_val_nonmembers():
    ctx = _context()
    out = MiaSvc().run(ORIGINAL, UNLEARNED, splits=None, context=ctx)
    assert out == {"mia.svc_conf": 1.0, "mia.svc_entropy": 1.0, "mia.svc_m_entropy": 1.0,
                   "mia.svc_efficacy": 1.0}
    assert set(out) == set(MiaSvc.directions) and set(MiaSvc.directions.values()) == {RETRAIN}
    assert {model for model, _ in ctx.calls} == {"unlearned"}
    retain_rows, val_rows, forget = ctx.calls
    assert len(retain_rows[1]) == len(val_rows[1]) == 30  # balanced at the smaller pool
    assert set(retain_rows[1]) <= set(range(120)) and val_rows[1] == tuple(range(120, 150))
    assert forget == ("unlearned", "forget")


def test_wrapper_nonmember_split_and_cap():
    ctx = _context()
    MiaSvc(nonmembers="test", max_per_class=8).run(ORIGINAL, UNLEARNED, splits=None, context=ctx)
    retain_rows, test_rows, _ = ctx.calls
    assert len(retain_rows[1]) == len(test_rows[1]) == 8
    assert set(test_rows[1]) <= set(range(150, 180))


def test_wrapper_ranks_retrieval_rows_against_distractors_left_out_of_the_nonmembers():
    ctx = _context()
    out = MiaSvc(distractors=5).run(ORIGINAL, FakeModel("unlearned", RETRIEVAL), splits=None, context=ctx)
    assert out["mia.svc_conf"] == 1.0  # the same separation as the classification path
    calls = ctx.calls
    distractor_sets = {rows for who, rows in calls if who == "distractors"}
    assert len(distractor_sets) == 1  # every row ranked against the same captions
    (distractors,) = distractor_sets
    assert len(distractors) == 5 and set(distractors) <= set(range(120, 150))
    scored = [rows for who, rows in calls if who == "unlearned"]
    val_rows = scored[1]
    assert len(val_rows) == 25 and not set(val_rows) & set(distractors)
    assert scored[2] == "forget"


def test_split_distractors_partitions_the_pool():
    pool = np.arange(100, 140)
    chosen, rest = split_distractors(pool, 7, seed=3)
    assert len(chosen) == 7 and sorted(np.concatenate([chosen, rest]).tolist()) == pool.tolist()
    assert chosen.tolist() == split_distractors(pool, 7, seed=3)[0].tolist()
    assert chosen.tolist() != split_distractors(pool, 7, seed=4)[0].tolist()
    with pytest.raises(ValueError, match="distractors"):
        split_distractors(pool, 40, seed=0)


def test_wrapper_params_and_registry():
    assert MiaSvc().get_params() == {"nonmembers": "val", "max_per_class": 1000, "distractors": 31}
    assert MiaSvc.from_params("attack", "mia_svc", {"nonmembers": "test"}).get_params()["nonmembers"] == "test"
    with pytest.raises(UserError):
        MiaSvc.from_params("attack", "mia_svc", {"nonmembers": "forget"})
    with pytest.raises(ValueError):
        MiaSvc(nonmembers="train")
    assert issubclass(MiaSvc, bench.Attack)
    assert ATTACKS.get("mia_svc") is MiaSvc
