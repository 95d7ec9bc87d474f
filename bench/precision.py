"""The numeric precision of a cell's forward passes (``CellSpec.precision``, part of its id and
of its group's model-cache key, so bf16 results never mix with fp32 ones).

``fp32`` runs as written. ``bf16`` runs training, unlearning and evaluation forward passes
under ``torch.autocast(device_type, dtype=torch.bfloat16)``: weights, optimizer states and
gradients stay fp32 (autocast only lowers the precision of the ops it lists, such as matmuls
and convolutions), so no loss scaling is needed, unlike fp16; bf16 has fp32's exponent range.
Tasks cast embeddings and logits back to float before computing metrics.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch

from bench.spec import PRECISIONS

DTYPES = {"fp32": None, "bf16": torch.bfloat16}
assert set(DTYPES) == set(PRECISIONS)


def autocast(precision: str, device: torch.device | str) -> AbstractContextManager:
    """The context the forward passes of a cell at ``precision`` on ``device`` run in."""
    dtype = DTYPES[precision]
    return nullcontext() if dtype is None else torch.autocast(torch.device(device).type, dtype=dtype)
