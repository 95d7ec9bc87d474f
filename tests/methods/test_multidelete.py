import pytest
import torch

from bench.errors import UserError
from bench.batches import take
from methods.multidelete import MultiDelete, derangement


@pytest.mark.parametrize("n", [2, 3, 7, 64])
def test_derangement_moves_every_item(n):
    for seed in range(20):
        perm = derangement(n, torch.Generator().manual_seed(seed))
        assert sorted(perm.tolist()) == list(range(n))
        assert not (perm == torch.arange(n)).any()


def test_rejects_unknown_choices():
    with pytest.raises(UserError, match="distance"):
        MultiDelete(distance="kl")
    with pytest.raises(UserError, match="ukr_split"):
        MultiDelete(ukr_split="test")
    with pytest.raises(UserError, match="epochs"):
        MultiDelete(epochs=0)


def _whole(task, indices):
    return next(iter(task.loader(indices, shuffle=False, seed=0, batch_size=len(indices))))


@torch.no_grad()
def _pair_scores(model, task, indices):
    batch = _whole(task, indices)
    return model.pair_scores(batch["a"], batch["b"]), model.joint(batch["a"], batch["b"])


@torch.no_grad()
def _random_pair_score(model, task, indices) -> float:
    batch = _whole(task, indices)
    perm = derangement(len(indices), torch.Generator().manual_seed(1))
    return float(model.pair_scores(batch["a"], take(batch["b"], perm)).mean())


def test_decouples_forget_pairs_and_retains_the_rest(original_copy, trained_original, make_request,
                                                     tiny_task, tiny_splits):
    f_scores0, _ = _pair_scores(trained_original, tiny_task, tiny_splits.forget)
    _, r_joint0 = _pair_scores(trained_original, tiny_task, tiny_splits.retain)
    model = MultiDelete(epochs=25, lr=2e-3, val_tolerance=10.0).unlearn(original_copy, make_request())
    f_scores1, _ = _pair_scores(model, tiny_task, tiny_splits.forget)
    _, r_joint1 = _pair_scores(model, tiny_task, tiny_splits.retain)
    # Deleted pairs move most of the way from their memorised score to that of unrelated pairs ...
    unrelated = _random_pair_score(trained_original, tiny_task, tiny_splits.forget)
    assert abs(f_scores1.mean() - unrelated) < 0.5 * abs(f_scores0.mean() - unrelated)
    # ... while the joint representation of retained pairs stays near the original's.
    drift = (r_joint1 - r_joint0).pow(2).mean()
    assert drift < 0.1 * r_joint0.pow(2).mean()
