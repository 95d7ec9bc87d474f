"""Building blocks of unlearning objectives that several methods share.

Every function works on any pair model: retrieval models (``kind == "retrieval"``: outputs are
in-batch similarity logits, texts can be re-paired) and classification models (outputs are
class logits over ``n_classes``, batches carry ``label``).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
import torch.nn.functional as F

from bench.batches import to_device
from bench.request import UnlearnRequest


def distillation_kl(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                    temperature: float) -> torch.Tensor:
    """KL(teacher ‖ student) of the temperature-softened distributions, summed over classes and
    averaged over the batch (``batchmean``), times T² so gradients keep their scale across
    temperatures (Hinton et al. 2015). Not ``reduction="mean"``, which also divides by the
    number of classes and silently shrinks the learning rate (a trap in Bad Teacher's code)."""
    t = float(temperature)
    return F.kl_div(F.log_softmax(student_logits / t, dim=-1), F.log_softmax(teacher_logits / t, dim=-1),
                    reduction="batchmean", log_target=True) * t * t


def relabelled(batch: Mapping[str, Any], request: UnlearnRequest, kind: str, n_classes: int,
               generator: torch.Generator) -> dict[str, Any]:
    """The batch with each example's target replaced by a wrong one, on ``request.device``.

    Classification: a label drawn uniformly from the *other* classes. Retrieval: each item's
    first modality re-paired with the text of a random other training item (drawn from
    D_f ∪ D_r, never itself), through ``request.pairs``, so the model learns a false match.
    """
    if kind == "classification":
        labels = batch["label"]
        shift = torch.randint(1, n_classes, labels.shape, generator=generator)
        return to_device({**batch, "label": (labels.cpu() + shift) % n_classes}, request.device)
    a_idx = batch["index"].cpu()
    pool = torch.as_tensor(np.concatenate([request.forget_indices, request.retain_indices])).long()
    draw = pool[torch.randint(0, len(pool), a_idx.shape, generator=generator)]
    clash = draw == a_idx
    while clash.any():  # never the item's own text
        draw[clash] = pool[torch.randint(0, len(pool), (int(clash.sum()),), generator=generator)]
        clash = draw == a_idx
    return to_device(request.pairs(a_idx.tolist(), draw.tolist()), request.device)
