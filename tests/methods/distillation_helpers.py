"""Test helper for the distillation methods (Bad Teacher, SCRUB): the divergence between two
models' outputs."""

from __future__ import annotations

import numpy as np
import torch

from bench.batches import evaluating, to_device
from bench.objectives import distillation_kl

CPU = torch.device("cpu")


def output_divergence(teacher, student, loader, temperature: float = 1.0) -> float:
    """Mean over the loader's batches of KL(teacher ‖ student) on ``outputs``."""
    with evaluating(teacher), evaluating(student):
        return float(np.mean([float(distillation_kl(student.outputs(b), teacher.outputs(b), temperature))
                              for b in (to_device(b, CPU) for b in loader)]))
