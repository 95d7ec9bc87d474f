"""AttackContext: ranking_probs (each pair's own caption against fixed distractor captions) and
the memo of passes."""

import copy
import gc

import numpy as np
import torch

from bench.attack import AttackContext
from bench.batches import evaluating


def test_ranking_probs_equal_the_rows_of_one_similarity_matrix(emoji_setting):
    task, splits, model = emoji_setting.task, emoji_setting.splits, emoji_setting.original
    ctx = AttackContext(task, splits, torch.device("cpu"), seed=0)
    rows, distractors = np.asarray(splits.forget[:5]), np.asarray(splits.val[:3])
    probs, targets = ctx.ranking_probs(model, rows, distractors)

    both = np.concatenate([rows, distractors])
    with torch.no_grad(), evaluating(model):
        logits = model.outputs(task.pair_batch(both, both))  # [8, 8]: a -> b logits
    own = logits[: len(rows)].diagonal()[:, None]
    expected = torch.cat([own, logits[: len(rows), len(rows):]], dim=1).softmax(dim=1).numpy()
    assert probs.shape == (5, 4) and targets.tolist() == [0] * 5
    np.testing.assert_allclose(probs, expected, rtol=1e-4, atol=1e-6)


def test_ranking_probs_of_a_row_do_not_depend_on_its_batch(emoji_setting):
    task, splits, model = emoji_setting.task, emoji_setting.splits, emoji_setting.original
    ctx = AttackContext(task, splits, torch.device("cpu"), seed=0)
    distractors = np.asarray(splits.val[:7])
    whole, _ = ctx.ranking_probs(model, splits.forget, distractors)
    alone, _ = ctx.ranking_probs(model, splits.forget[3:4], distractors)
    np.testing.assert_allclose(alone[0], whole[3], rtol=1e-4, atol=1e-6)
    assert ctx.ranking_probs(model, [], distractors)[0].shape == (0, 8)


def test_losses_are_memoized_per_model_and_part_and_go_with_the_model(emoji_setting):
    task, splits = emoji_setting.task, emoji_setting.splits
    ctx = AttackContext(task, splits, torch.device("cpu"), seed=0)
    model, other = copy.deepcopy(emoji_setting.original), copy.deepcopy(emoji_setting.original)
    passes = []
    model.a_tower.register_forward_hook(lambda *_: passes.append(1))

    first = ctx.losses(model, "forget")
    n_passes = len(passes)
    assert n_passes > 0
    assert ctx.losses(model, "forget") is first and len(passes) == n_passes  # served from the memo
    assert ctx.losses(model, splits.forget) is not first  # an index set has its own key
    np.testing.assert_array_equal(ctx.losses(model, splits.forget), first)
    assert not first.flags.writeable  # shared between attacks: nobody may change it
    ctx.losses(other, "forget")
    assert len(ctx.memo) == 2
    del model, first
    gc.collect()
    assert len(ctx.memo) == 1  # a model's entries go with it
