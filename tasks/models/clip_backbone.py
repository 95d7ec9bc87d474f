"""A pretrained CLIP (``transformers.CLIPModel``, Radford et al. 2021) as a pair model: a dual
encoder with no fusion, fine-tuned with its own symmetric contrastive loss.

The temperature stays at the checkpoint's learned value (``logit_scale`` is frozen), so
similarity scales are comparable across methods. What the contract asks of a model with no
fusion encoder and no matching head:

* ``joint(a, b)``: the element-wise product of the two normalised embeddings, whose sum is the
  pair's cosine similarity (what retrieval ranks by);
* ``example_losses``: the pair's symmetric contrastive loss against fixed probe negatives
  (``tasks.models.probe_contrast``: the in-batch loss would depend on the other pairs, and the
  raw cosine moves the wrong way under unlearning); it reaches both towers and both
  projections, everything the contrastive loss trains;
* ``example_probs``: ``[1 - p, p]`` with ``p`` the pair's probability among the probes
  (column 1 = matched).
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from tasks.models.probe_contrast import ProbeContrast
from tasks.real.text import Tokens


class ClipPairModel(nn.Module):
    kind = "retrieval"
    n_classes = 2

    def __init__(self, clip: nn.Module):
        super().__init__()
        self.clip = clip
        self.clip.logit_scale.requires_grad_(False)
        self.probes = ProbeContrast(clip.config.vision_config, clip.config.text_config)

    @classmethod
    def pretrained(cls, backbone_dir: Path) -> "ClipPairModel":
        from transformers import CLIPModel

        return cls(CLIPModel.from_pretrained(backbone_dir, local_files_only=True))

    @classmethod
    def randomly_initialised(cls, backbone_dir: Path) -> "ClipPairModel":
        from transformers import CLIPConfig, CLIPModel

        return cls(CLIPModel(CLIPConfig.from_pretrained(backbone_dir, local_files_only=True)))

    @property
    def joint_dim(self) -> int:
        return self.clip.config.projection_dim

    @property
    def scale(self) -> torch.Tensor:
        return self.clip.logit_scale.exp()

    def encode_a(self, a: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.clip.get_image_features(pixel_values=a).pooler_output, dim=-1)

    def encode_b(self, b: Tokens) -> torch.Tensor:
        out = self.clip.get_text_features(input_ids=b.input_ids, attention_mask=b.attention_mask)
        return F.normalize(out.pooler_output, dim=-1)

    def joint(self, a: torch.Tensor, b: Tokens) -> torch.Tensor:
        return self.encode_a(a) * self.encode_b(b)

    def outputs(self, batch) -> torch.Tensor:
        """In-batch a->b similarity logits [B, B]."""
        return self.encode_a(batch["a"]) @ self.encode_b(batch["b"]).T * self.scale

    def _probe_logits(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        ea, eb = self.encode_a(batch["a"]), self.encode_b(batch["b"])
        return self.probes.logits(ea, eb, self.encode_a, self.encode_b, self.scale)

    def example_losses(self, batch) -> torch.Tensor:
        return ProbeContrast.losses(*self._probe_logits(batch))

    def example_probs(self, batch) -> torch.Tensor:
        p = ProbeContrast.match_probability(*self._probe_logits(batch))
        return torch.stack([1.0 - p, p], dim=-1)

    def loss(self, batch) -> torch.Tensor:
        logits = self.outputs(batch)
        target = torch.arange(len(logits), device=logits.device)
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
