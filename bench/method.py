"""Base class of unlearning methods: hyperparameters in the constructor, work in ``unlearn``."""

from __future__ import annotations

from typing import ClassVar

import torch

from bench.params import Configurable
from bench.request import UnlearnRequest


class Method(Configurable):
    """Subclass, register with ``@bench.register_method("name")``, implement ``unlearn``.

    ``unlearn`` receives a private copy of the original model (already on ``request.device``)
    and returns the unlearned model, which may be the same object or a new one.
    """

    name: str = ""
    #: The runner serves the cached retrained reference instead of calling ``unlearn``.
    reproduces_reference: ClassVar[bool] = False
    #: The request then carries ``full_train_loader`` (D_train = D_f ∪ D_r), e.g. for SSD.
    needs_full_train: ClassVar[bool] = False

    def unlearn(self, model: torch.nn.Module, request: UnlearnRequest) -> torch.nn.Module:
        raise NotImplementedError
