"""Known answers for the Df-vs-Dr AUC; hand computations in the comments."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import bench
from bench.directions import RETRAIN
from bench.registry import ATTACKS
from attacks.df_dr_auc import DfDrAuc, df_dr_auc, retain_chunks


def test_retain_scoring_higher_is_one_and_lower_is_zero():
    forget = np.array([0.0, 0.1, 0.2])
    retain = np.arange(10, 25, dtype=float)
    assert df_dr_auc(forget, retain, n_chunks=5, seed=0) == 1.0
    assert df_dr_auc(retain, forget, n_chunks=5, seed=0) == 0.0  # roles swapped: D_f above D_r
    assert df_dr_auc(-forget, -retain, n_chunks=5, seed=0) == 0.0


def test_identical_distributions_are_near_half():
    rng = np.random.default_rng(0)
    forget, retain = rng.normal(size=500), rng.normal(size=5000)
    assert df_dr_auc(forget, retain, n_chunks=5, seed=0) == pytest.approx(0.5, abs=0.04)


def test_one_chunk_hand_case_matches_sklearn():
    forget = np.array([0.1, 0.4])
    retain = np.array([0.8, 0.35])
    # (retain, forget) pairs: 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3 of 4
    assert df_dr_auc(forget, retain, n_chunks=1, seed=3) == pytest.approx(0.75)
    assert roc_auc_score([1, 1, 0, 0], [0.8, 0.35, 0.1, 0.4]) == pytest.approx(0.75)


def test_ties_count_half():
    assert df_dr_auc(np.ones(4), np.ones(8), n_chunks=2, seed=0) == 0.5


def test_all_retain_used_when_chunks_cover_it():
    # |D_f| = 1 and 4 chunks of 1 cover all of D_r, whatever the permutation:
    # per-chunk AUC is 1 (5 > 0), 0 (-1 < 0), 0 (-2 < 0), 0.5 (0 ties 0) -> mean 1.5 / 4.
    assert df_dr_auc(np.array([0.0]), np.array([5.0, -1.0, -2.0, 0.0]), n_chunks=4, seed=11) == 0.375


def test_disjoint_chunks_average_one_separable_chunk():
    # D_f = {0, 1}; D_r has 6 pairs -> 3 disjoint chunks of 2 (the documented permutation).
    # Chunk 0 holds {10, 11}: AUC 1. Chunks 1 and 2 hold {0, 1}, D_f's own values:
    # pairs 0v0 .5, 0v1 0, 1v0 1, 1v1 .5 -> 2/4 = .5. Mean (1 + .5 + .5) / 3 = 2/3.
    seed = 4
    perm = np.random.default_rng(seed).permutation(6)
    retain = np.empty(6)
    retain[perm] = [10.0, 11.0, 0.0, 1.0, 0.0, 1.0]
    assert df_dr_auc(np.array([0.0, 1.0]), retain, n_chunks=3, seed=seed) == pytest.approx(2 / 3)
    # With only one chunk, only the separable one is used.
    assert df_dr_auc(np.array([0.0, 1.0]), retain, n_chunks=1, seed=seed) == 1.0


def test_mean_of_chunk_aucs_is_the_auc_of_their_union():
    # Ties included (scores rounded to one decimal), so the [r = f] / 2 term is exercised too.
    rng = np.random.default_rng(2)
    forget, retain = rng.normal(size=40).round(1), rng.normal(0.3, size=450).round(1)
    for n_chunks in (1, 3, 5, 11):
        chunks = retain_chunks(forget.size, retain.size, n_chunks, seed=5)
        union = retain[np.concatenate(chunks)]
        pooled = roc_auc_score(np.r_[np.ones(union.size), np.zeros(forget.size)], np.r_[union, forget])
        per_chunk = [roc_auc_score(np.r_[np.ones(c.size), np.zeros(forget.size)], np.r_[retain[c], forget])
                     for c in chunks]
        assert df_dr_auc(forget, retain, n_chunks, seed=5) == pytest.approx(pooled, abs=1e-12)
        assert np.mean(per_chunk) == pytest.approx(pooled, abs=1e-12)
    assert len(retain_chunks(forget.size, retain.size, 11, seed=5)) == 11  # 450 // 40 = 11 chunks


def test_zero_chunks_compares_with_all_of_retain():
    rng = np.random.default_rng(3)
    forget, retain = rng.normal(size=30), rng.normal(0.5, size=95)  # 95 is no multiple of 30
    (chunk,) = retain_chunks(30, 95, 0, seed=1)
    assert sorted(chunk.tolist()) == list(range(95))
    expected = roc_auc_score(np.r_[np.ones(95), np.zeros(30)], np.r_[retain, forget])
    assert df_dr_auc(forget, retain, n_chunks=0, seed=1) == pytest.approx(expected, abs=1e-12)
    # 3 chunks leave 5 retained pairs out: a different, subsampled estimate.
    assert df_dr_auc(forget, retain, n_chunks=3, seed=1) != pytest.approx(expected, abs=1e-12)


def test_chunk_layout():
    chunks = retain_chunks(n_forget=3, n_retain=10, n_chunks=5, seed=0)
    assert [len(c) for c in chunks] == [3, 3, 3]  # only 3 whole chunks fit in 10
    flat = np.concatenate(chunks)
    assert len(set(flat.tolist())) == 9  # disjoint
    assert [len(c) for c in retain_chunks(3, 30, 5, 0)] == [3] * 5
    assert [len(c) for c in retain_chunks(5, 3, 5, 0)] == [3]  # D_r smaller than D_f: all of it


def test_small_retain_is_one_chunk_of_all_of_it():
    forget = np.array([0.1, 0.5, 0.9, 0.3])
    retain = np.array([0.6, 0.2])
    expected = roc_auc_score([1, 1, 0, 0, 0, 0], np.concatenate([retain, forget]))
    # By hand: 0.6 beats 0.1, 0.5, 0.3 (3); 0.2 beats 0.1 (1) -> 4 / 8.
    assert expected == pytest.approx(0.5)
    assert df_dr_auc(forget, retain, n_chunks=5, seed=0) == pytest.approx(expected)


def test_deterministic_and_rejects_bad_input():
    rng = np.random.default_rng(1)
    f, r = rng.normal(size=20), rng.normal(0.5, size=200)
    assert df_dr_auc(f, r, 5, 9) == df_dr_auc(f, r, 5, 9)
    with pytest.raises(ValueError):
        df_dr_auc(np.array([]), r, 5, 0)
    with pytest.raises(ValueError):
        df_dr_auc(f, r, -1, 0)
    with pytest.raises(ValueError):
        df_dr_auc(np.array([np.nan]), r, 5, 0)


def test_wrapper_scores_unlearned_model_with_negative_loss(fake_context):
    ctx = fake_context({
        # Unlearned: D_f has HIGHER loss -> lower score -> D_r (label 1) ranks above: AUC 1.
        ("unlearned", "forget"): [5.0, 6.0],
        ("unlearned", "retain"): [0.1, 0.2, 0.3, 0.4],
        # Original would give AUC 0 if it were (wrongly) used.
        ("original", "forget"): [0.0, 0.0],
        ("original", "retain"): [9.0, 9.0, 9.0, 9.0],
    })
    attack = DfDrAuc()
    out = attack.run("original", "unlearned", splits=None, context=ctx)
    assert out == {"auc.df_vs_dr": 1.0}
    assert set(ctx.calls) == {("unlearned", "forget"), ("unlearned", "retain")}
    assert set(out) == set(DfDrAuc.directions)
    assert DfDrAuc.directions == {"auc.df_vs_dr": RETRAIN}


def test_wrapper_params_and_registry():
    assert DfDrAuc().get_params() == {"n_chunks": 5}
    assert DfDrAuc(n_chunks=2).get_params() == {"n_chunks": 2}
    assert DfDrAuc(n_chunks=0).get_params() == {"n_chunks": 0}
    assert issubclass(DfDrAuc, bench.Attack)
    assert ATTACKS.get("df_dr_auc") is DfDrAuc


def test_wrapper_scores_only_the_chunks_and_equals_the_full_computation(fake_context):
    rng = np.random.default_rng(3)
    forget, retain = rng.normal(1.0, 1.0, 10), rng.normal(0.0, 1.0, 73)  # 7 whole chunks of 10
    ctx = fake_context({("unlearned", "forget"): forget, ("unlearned", "retain"): retain}, seed=4)
    out = DfDrAuc(n_chunks=5).run("original", "unlearned", splits=None, context=ctx)
    assert out["auc.df_vs_dr"] == pytest.approx(df_dr_auc(-forget, -retain, 5, 4), abs=1e-12)
