"""The ``validation`` attack: the task's headline metric on the validation split, ``val.r_mean``
(retrieval) or ``val.acc`` (classification).

Tuning trials run it so the default selection rule (``bench.tuning.selection``) can judge a
trial on data the method may see: the validation split is held out from training and is what
``UnlearnRequest.val_loader`` carries. It evaluates through ``Task.evaluate`` on splits whose
test part is the validation split, so the number is measured exactly like the test one (for
retrieval at the same gallery size as the forget and retain parts) and the test split is never
read. On the ``original`` row it gives the original model's validation metric.
"""

from __future__ import annotations

import torch

from bench.attack import Attack, AttackContext
from bench.directions import HIGHER
from bench.splits import Splits
from bench.tuning.selection import TASK_SCORES


class Validation(Attack):
    name = "validation"
    directions = {f"val.{score}": HIGHER for score in TASK_SCORES}

    def run(self, original: torch.nn.Module, unlearned: torch.nn.Module, splits: Splits,
            context: AttackContext) -> dict[str, float]:
        held_out = Splits(train=splits.train, val=splits.val, test=splits.val, forget=splits.forget,
                          retain=splits.retain)
        metrics = context.task.evaluate(unlearned, held_out, context.device, context.seed)
        return {f"val.{score}": metrics[f"test.{score}"] for score in TASK_SCORES if f"test.{score}" in metrics}
