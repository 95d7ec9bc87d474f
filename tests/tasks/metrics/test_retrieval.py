"""Known answers for Recall@K, worked out by hand in the comments."""

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


def test_constant_matrix_counts_ties_pessimistically():
    # Every candidate ties with the correct one: rank = N = 4 for every query in both directions.
    out = recall_at_k(torch.zeros(4, 4), ks=(1, 3, 4))
    assert out["a2b_r1"] == 0.0 and out["b2a_r1"] == 0.0
    assert out["a2b_r3"] == 0.0 and out["b2a_r3"] == 0.0
    assert out["a2b_r4"] == 100.0 and out["b2a_r4"] == 100.0


def test_partial_tie():
    sim = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    # row 0 ties with column 1 -> rank 2; row 1: 1 > 0 -> rank 1.
    # col 0: 1 > 0 -> rank 1; col 1: 1 ties with row 0 -> rank 2.
    out = recall_at_k(sim, ks=(1,))
    assert out["a2b_r1"] == 50.0
    assert out["b2a_r1"] == 50.0


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
    # First gallery is perfect (identity, 100), second is all ties (0): the mean is 50.
    mats = iter([torch.eye(3), torch.zeros(3, 3)])
    out = gallery_recall(lambda idx: next(mats), n_items=10, gallery_size=3, n_draws=2, seed=1, ks=(1,))
    assert out == {"a2b_r1": 50.0, "b2a_r1": 50.0, "r_mean": 50.0}


def test_gallery_whole_set_once_when_gallery_is_large():
    calls = []
    out = gallery_recall(_recording_sim_fn(calls), n_items=3, gallery_size=5, n_draws=4, seed=0, ks=(1, 2, 3))
    assert len(calls) == 1 and calls[0].tolist() == [0, 1, 2]
    assert out == pytest.approx(recall_at_k(S3, ks=(1, 2, 3)))


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
