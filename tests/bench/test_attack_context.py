"""AttackContext.ranking_probs: each pair's own caption against fixed distractor captions."""

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
