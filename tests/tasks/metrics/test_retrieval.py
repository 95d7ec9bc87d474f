"""Known answers for Recall@K, worked out by hand in the comments, and an exhaustive check of
the tie rule against every tie-breaking order of small matrices."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
import torch

from tasks.metrics.retrieval import correct_ranks, gallery_recall, recall_at_k

# Row i = query i of modality A, column j = item j of modality B; the match of row i is column i.
S3 = torch.tensor(
    [
        [0.90, 0.50, 0.10],  # a2b row 0: 0.9 beats 0.5, 0.1             -> rank 1
        [0.80, 0.30, 0.60],  # a2b row 1: 0.3 below 0.8 and 0.6           -> rank 3
        [0.95, 0.70, 0.40],  # a2b row 2: 0.4 below 0.95 and 0.7          -> rank 3
    ]
)
# b2a col 0: 0.9 vs rows 0.8, 0.95 -> rank 2; col 1: 0.3 vs 0.5, 0.7 -> rank 3;
# col 2: 0.4 vs 0.1, 0.6 -> rank 2.


def test_identity_is_perfect():
    out = recall_at_k(torch.eye(20))
    assert set(out) == {"a2b_r1", "a2b_r5", "a2b_r10", "b2a_r1", "b2a_r5", "b2a_r10", "r_mean"}
    assert all(v == 100.0 for v in out.values())


def test_hand_computed_3x3_ranks():
    a2b, b2a = correct_ranks(S3)
    assert a2b.tolist() == [1, 3, 3]
    assert b2a.tolist() == [2, 3, 2]


def test_hand_computed_3x3_recall():
    out = recall_at_k(S3, ks=(1, 2, 3))
    expected = {
        "a2b_r1": 100 / 3, "a2b_r2": 100 / 3, "a2b_r3": 100.0,
        "b2a_r1": 0.0, "b2a_r2": 200 / 3, "b2a_r3": 100.0,
    }
    for key, value in expected.items():
        assert out[key] == pytest.approx(value)
    assert out["r_mean"] == pytest.approx(500 / 9)  # (100/3 + 100/3 + 100 + 0 + 200/3 + 100) / 6


def test_transpose_swaps_directions():
    out, out_t = recall_at_k(S3, ks=(1, 2)), recall_at_k(S3.T, ks=(1, 2))
    for k in (1, 2):
        assert out[f"a2b_r{k}"] == pytest.approx(out_t[f"b2a_r{k}"])
        assert out[f"b2a_r{k}"] == pytest.approx(out_t[f"a2b_r{k}"])


def test_constant_matrix_scores_chance():
    # Every candidate ties with the correct one: under a random order it is in the top K of 4
    # with probability K/4, in both directions.
    out = recall_at_k(torch.zeros(4, 4), ks=(1, 3, 4))
    assert out["a2b_r1"] == pytest.approx(25.0) and out["b2a_r1"] == pytest.approx(25.0)
    assert out["a2b_r3"] == pytest.approx(75.0) and out["b2a_r3"] == pytest.approx(75.0)
    assert out["a2b_r4"] == 100.0 and out["b2a_r4"] == 100.0
    a2b, b2a = correct_ranks(torch.zeros(4, 4))
    assert a2b.tolist() == b2a.tolist() == [2.5] * 4  # mean of positions 1..4


def test_partial_tie():
    sim = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    # row 0 ties with column 1 -> hit@1 = 1/2; row 1: 1 > 0 -> 1.
    # col 0: 1 > 0 -> 1; col 1: 1 ties with row 0 -> 1/2.
    out = recall_at_k(sim, ks=(1,))
    assert out["a2b_r1"] == pytest.approx(75.0)
    assert out["b2a_r1"] == pytest.approx(75.0)
    assert correct_ranks(sim)[0].tolist() == [1.5, 1.0]


# A 2-way tie that also sits behind a strictly better incorrect item (row 1).
T3 = torch.tensor(
    [
        [0.5, 0.5, 0.2],  # a2b row 0: ties col 1          -> s=0, t=1: R@1 1/2, R@2 1
        [0.9, 0.4, 0.4],  # a2b row 1: below 0.9, ties col 2 -> s=1, t=1: R@1 0, R@2 1/2, R@3 1
        [0.1, 0.3, 0.6],  # a2b row 2: best                  -> R@1 1
    ]
)
# b2a col 0: 0.5 below 0.9 -> s=1: R@1 0, R@2 1; col 1: 0.4 below 0.5 -> s=1: R@1 0, R@2 1;
# col 2: 0.6 best -> R@1 1.


def test_hand_computed_3x3_with_a_tie():
    out = recall_at_k(T3, ks=(1, 2, 3))
    expected = {
        "a2b_r1": 100 * (0.5 + 0 + 1) / 3, "a2b_r2": 100 * (1 + 0.5 + 1) / 3, "a2b_r3": 100.0,
        "b2a_r1": 100 / 3, "b2a_r2": 100.0, "b2a_r3": 100.0,
    }
    for key, value in expected.items():
        assert out[key] == pytest.approx(value)
    assert out["r_mean"] == pytest.approx(700 / 9)  # (50 + 250/3 + 100 + 100/3 + 100 + 100) / 6
    a2b, b2a = correct_ranks(T3)
    assert a2b.tolist() == [1.5, 2.5, 1.0] and b2a.tolist() == [2.0, 2.0, 1.0]


# Items 0 and 1 share a caption, so their text columns are identical.
DUP = torch.tensor(
    [
        [0.2, 0.2, 0.9],  # text A: cols 0, 1 correct (0.2), col 2 above -> R@1 0, R@2 1
        [0.8, 0.8, 0.1],  # text A: cols 0, 1 correct (0.8), best        -> R@1 1
        [0.3, 0.3, 0.5],  # text B: col 2 correct, best                  -> R@1 1
    ]
)
DUP_IDS = [7, 7, 3]
# b2a col 0 and col 1 (text A): rows 0, 1 correct, best 0.8 > row 2's 0.3 -> R@1 1;
# col 2 (text B): row 2's 0.5 below row 0's 0.9 -> R@1 0, R@2 1.
# Without ids, row 0: correct 0.2 ties col 1, col 2 above -> R@1 0, R@2 1/2; row 1: ties -> R@1 1/2;
# col 0: 0.2 below 0.8 and 0.3 -> R@2 0; col 1: 0.8 best -> 1.


def test_identical_texts_count_as_correct():
    out = recall_at_k(DUP, ks=(1, 2), text_ids=DUP_IDS)
    assert out["a2b_r1"] == pytest.approx(200 / 3) and out["a2b_r2"] == 100.0
    assert out["b2a_r1"] == pytest.approx(200 / 3) and out["b2a_r2"] == 100.0
    plain = recall_at_k(DUP, ks=(1, 2))
    assert plain["a2b_r1"] == pytest.approx(50.0) and plain["a2b_r2"] == pytest.approx(250 / 3)
    assert plain["b2a_r1"] == pytest.approx(100 / 3) and plain["b2a_r2"] == pytest.approx(200 / 3)
    a2b, b2a = correct_ranks(DUP, text_ids=np.array(DUP_IDS))
    assert a2b.tolist() == [2.0, 1.0, 1.0] and b2a.tolist() == [1.0, 1.0, 2.0]


def test_several_correct_items_tied_with_incorrect_ones():
    # Constant 4x4, texts [0, 0, 1, 2]. Queries 0, 1: 2 correct among 4 tied; P(hit@1) = 2/4,
    # P(hit@2) = 1 - P(both of the top 2 wrong) = 1 - (2/4)(1/3) = 5/6.
    # Queries 2, 3: one correct among 4: 1/4 and 2/4. Same in both directions.
    out = recall_at_k(torch.zeros(4, 4), ks=(1, 2), text_ids=[0, 0, 1, 2])
    assert out["a2b_r1"] == pytest.approx(100 * (0.5 + 0.5 + 0.25 + 0.25) / 4)  # 37.5
    assert out["a2b_r2"] == pytest.approx(100 * (5 / 6 + 5 / 6 + 0.5 + 0.5) / 4)  # 66.67
    assert out["b2a_r1"] == out["a2b_r1"] and out["b2a_r2"] == out["a2b_r2"]


def _enumerated_a2b(sim, text_ids, k):
    """Per row: exact hit@k and expected rank of the first correct column, averaged over every
    order in which ties could be broken (all column permutations used as a tie-breaker)."""
    n = len(sim)
    hits, ranks = [], []
    for i in range(n):
        correct = [text_ids[j] == text_ids[i] for j in range(n)]
        hit, rank, perms = Fraction(0), Fraction(0), list(itertools.permutations(range(n)))
        for perm in perms:
            order = sorted(range(n), key=lambda j: (-sim[i][j], perm[j]))
            first = next(pos for pos, j in enumerate(order) if correct[j])
            hit += first < k
            rank += first + 1
        hits.append(hit / len(perms))
        ranks.append(rank / len(perms))
    return hits, ranks


def test_tie_rule_equals_every_tie_breaking_order_enumerated():
    rng = np.random.default_rng(0)
    for _ in range(6):
        sim = rng.integers(0, 3, size=(5, 5))  # three levels: ties everywhere
        ids = rng.integers(0, 3, size=5).tolist()
        ranks = correct_ranks(torch.tensor(sim), text_ids=ids)[0]
        for k in (1, 2, 3):
            hits, expected_ranks = _enumerated_a2b(sim.tolist(), ids, k)
            got = recall_at_k(torch.tensor(sim), ks=(k,), text_ids=ids)[f"a2b_r{k}"]
            assert got == pytest.approx(100 * float(sum(hits) / 5), abs=1e-9)
        assert ranks.tolist() == pytest.approx([float(r) for r in expected_ranks], abs=1e-9)
        # b2a is a2b of the transpose (the "same text" relation is symmetric).
        out = recall_at_k(torch.tensor(sim), text_ids=ids)
        out_t = recall_at_k(torch.tensor(sim.T), text_ids=ids)
        assert out["b2a_r1"] == pytest.approx(out_t["a2b_r1"])


def test_k_larger_than_n_is_clipped_and_keeps_its_name():
    sim = torch.tensor([[0.0, 1.0], [1.0, 0.0]])  # every correct item is last: rank 2 of 2
    out = recall_at_k(sim)
    assert out["a2b_r1"] == 0.0 and out["b2a_r1"] == 0.0
    assert out["a2b_r5"] == 100.0 and out["a2b_r10"] == 100.0
    assert out["b2a_r5"] == 100.0 and out["b2a_r10"] == 100.0
    assert out["r_mean"] == pytest.approx(400 / 6)


def test_accepts_numpy_and_rejects_bad_input():
    assert recall_at_k(np.eye(3), ks=(1,))["a2b_r1"] == 100.0
    with pytest.raises(ValueError):
        recall_at_k(torch.zeros(2, 3))
    with pytest.raises(ValueError):
        recall_at_k(torch.tensor([[1.0, float("nan")], [0.0, 1.0]]))
    with pytest.raises(ValueError):
        recall_at_k(torch.eye(3), ks=(0,))
    with pytest.raises(ValueError):
        recall_at_k(torch.eye(3), text_ids=[0, 1])  # one id per item
    with pytest.raises(ValueError):
        recall_at_k(torch.eye(3), text_ids=[0.0, 1.0, 2.0])  # ids, not scores


# Global 3-item similarity S3; per 2-item gallery, a2b_r1 by hand:
#   {0,1}: [[.9,.5],[.8,.3]]  row 0 rank 1, row 1 rank 2 -> 50
#   {0,2}: [[.9,.1],[.95,.4]] row 0 rank 1, row 1 rank 2 -> 50
#   {1,2}: [[.3,.6],[.7,.4]]  both rank 2               -> 0
HAND_A2B_R1 = {frozenset({0, 1}): 50.0, frozenset({0, 2}): 50.0, frozenset({1, 2}): 0.0}


def _recording_sim_fn(calls):
    def sim_fn(idx):
        calls.append(np.asarray(idx).copy())
        t = torch.as_tensor(np.asarray(idx))
        return S3[t][:, t]

    return sim_fn


def test_gallery_average_of_hand_computed_subsets():
    calls = []
    out = gallery_recall(_recording_sim_fn(calls), n_items=3, gallery_size=2, n_draws=6, seed=0, ks=(1,))
    assert len(calls) == 6
    for idx in calls:
        assert len(idx) == 2 and len(set(idx.tolist())) == 2 and set(idx.tolist()) <= {0, 1, 2}
    expected = np.mean([HAND_A2B_R1[frozenset(idx.tolist())] for idx in calls])
    assert out["a2b_r1"] == pytest.approx(expected)


def test_gallery_averages_per_call_results():
    # First gallery is perfect (identity, 100), second is all ties (chance, 100/3): mean 200/3.
    mats = iter([torch.eye(3), torch.zeros(3, 3)])
    out = gallery_recall(lambda idx: next(mats), n_items=10, gallery_size=3, n_draws=2, seed=1, ks=(1,))
    assert out == pytest.approx({"a2b_r1": 200 / 3, "b2a_r1": 200 / 3, "r_mean": 200 / 3})


def test_gallery_of_every_item_is_scored_once():
    calls = []
    out = gallery_recall(_recording_sim_fn(calls), n_items=3, gallery_size=3, n_draws=4, seed=0, ks=(1, 2, 3))
    assert len(calls) == 1 and calls[0].tolist() == [0, 1, 2]
    assert out == pytest.approx(recall_at_k(S3, ks=(1, 2, 3)))


def test_gallery_larger_than_the_items_is_an_error_not_a_smaller_gallery():
    with pytest.raises(ValueError, match="gallery_size"):
        gallery_recall(_recording_sim_fn([]), n_items=3, gallery_size=5, n_draws=4, seed=0)


def test_gallery_passes_each_gallerys_text_ids():
    # Constant scores; texts [0, 0, 1, 1]. A 2-item gallery of one text: both items correct for
    # both queries -> 100. Of two texts: each query ties with one wrong item -> 50.
    calls = []
    out = gallery_recall(lambda idx: (calls.append(idx.tolist()), torch.zeros(2, 2))[1], n_items=4,
                         gallery_size=2, n_draws=8, seed=0, ks=(1,), text_ids=np.array([0, 0, 1, 1]))
    expected = np.mean([100.0 if set(idx) in ({0, 1}, {2, 3}) else 50.0 for idx in calls])
    assert 50.0 < expected < 100.0  # the seed draws both kinds of gallery
    assert out["a2b_r1"] == pytest.approx(expected) and out["b2a_r1"] == pytest.approx(expected)
    with pytest.raises(ValueError):
        gallery_recall(lambda idx: torch.zeros(2, 2), n_items=4, gallery_size=2, n_draws=1, seed=0,
                       text_ids=[0, 1, 2])


def test_gallery_is_deterministic_for_a_seed():
    def draws(seed):
        calls = []
        gallery_recall(lambda idx: (calls.append(idx.tolist()), torch.eye(len(idx)))[1],
                       n_items=100, gallery_size=10, n_draws=3, seed=seed)
        return calls

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_gallery_rejects_wrong_shape():
    with pytest.raises(ValueError):
        gallery_recall(lambda idx: torch.eye(len(idx) + 1), n_items=5, gallery_size=2, n_draws=1, seed=0)
