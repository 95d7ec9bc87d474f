"""A pretrained BLIP image-text retrieval model (``transformers.BlipForImageTextRetrieval``, Li
et al. 2022) as a pair model: a ViT image tower, a BERT text tower whose cross-attention layers
fuse the image into the text (the fusion encoder), and an image-text matching (ITM) head; the
architecture family of ALBEF and BLIP that the MultiDelete paper unlearns.

Training follows BLIP's retrieval fine-tuning: image-text contrastive loss (ITC) on the
projected [CLS] embeddings plus ITM with one hard negative text per image and one hard negative
image per text, drawn in proportion to the softmaxed ITC similarity. The temperature is fixed
at BLIP's initial 0.07 (the transformers model holds no learned one). ``joint`` is the fused
[CLS] state; ``example_losses`` is the pair's ITC loss against fixed probe negatives
(``tasks.models.probe_contrast``) plus its ITM ``-log p(matched)``, batch-independent and
reaching both towers, both projections, the fusion (cross-attention) layers and the ITM head;
``example_probs`` are the ITM probabilities.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from tasks.models.probe_contrast import ProbeContrast
from tasks.real.text import Tokens


class BlipPairModel(nn.Module):
    kind = "retrieval"
    n_classes = 2  # ITM classes: 0 = not matched, 1 = matched

    def __init__(self, blip: nn.Module, temperature: float = 0.07, itm_pairs: int = 32):
        super().__init__()
        self.blip = blip
        self.temperature = temperature
        self.itm_pairs = itm_pairs  # pairs per batch that get ITM negatives (the fusion pass is the cost)
        self.probes = ProbeContrast(blip.config.vision_config, blip.config.text_config)

    @classmethod
    def pretrained(cls, backbone_dir: Path) -> "BlipPairModel":
        from transformers import BlipForImageTextRetrieval

        return cls(BlipForImageTextRetrieval.from_pretrained(backbone_dir, local_files_only=True))

    @classmethod
    def randomly_initialised(cls, backbone_dir: Path) -> "BlipPairModel":
        from transformers import BlipConfig, BlipForImageTextRetrieval

        return cls(BlipForImageTextRetrieval(BlipConfig.from_pretrained(backbone_dir, local_files_only=True)))

    @property
    def joint_dim(self) -> int:
        return self.blip.config.text_config.hidden_size

    # -- towers and fusion -----------------------------------------------------------------
    def _image_states(self, a: torch.Tensor) -> torch.Tensor:
        return self.blip.vision_model(pixel_values=a).last_hidden_state

    def _image_embed(self, states: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.blip.vision_proj(states[:, 0]), dim=-1)

    def _fuse(self, states: torch.Tensor, b: Tokens) -> torch.Tensor:
        """The fused [CLS] state of each (image, text) pair."""
        image_mask = torch.ones(states.shape[:2], dtype=torch.long, device=states.device)
        return self.blip.text_encoder(input_ids=b.input_ids, attention_mask=b.attention_mask,
                                      encoder_hidden_states=states,
                                      encoder_attention_mask=image_mask).last_hidden_state[:, 0]

    def encode_a(self, a: torch.Tensor) -> torch.Tensor:
        return self._image_embed(self._image_states(a))

    def encode_b(self, b: Tokens) -> torch.Tensor:
        states = self.blip.text_encoder(input_ids=b.input_ids, attention_mask=b.attention_mask).last_hidden_state
        return F.normalize(self.blip.text_proj(states[:, 0]), dim=-1)

    def joint(self, a: torch.Tensor, b: Tokens) -> torch.Tensor:
        return self._fuse(self._image_states(a), b)

    def represent(self, a: torch.Tensor, b: Tokens) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(joint(a, b), encode_a(a), encode_b(b))`` from one pass of the image tower."""
        states = self._image_states(a)
        return self._fuse(states, b), self._image_embed(states), self.encode_b(b)

    # -- the pair-model contract -----------------------------------------------------------
    def outputs(self, batch) -> torch.Tensor:
        """In-batch a->b similarity logits [B, B]."""
        return self.encode_a(batch["a"]) @ self.encode_b(batch["b"]).T / self.temperature

    def example_losses(self, batch) -> torch.Tensor:
        joint, ea, eb = self.represent(batch["a"], batch["b"])
        itc = ProbeContrast.losses(*self.probes.logits(ea, eb, self.encode_a, self.encode_b, 1 / self.temperature))
        return itc - F.log_softmax(self.blip.itm_head(joint), dim=-1)[:, 1]

    def example_probs(self, batch) -> torch.Tensor:
        return self.blip.itm_head(self.joint(batch["a"], batch["b"])).softmax(dim=-1)

    def loss(self, batch) -> torch.Tensor:
        states = self._image_states(batch["a"])
        sim = self._image_embed(states) @ self.encode_b(batch["b"]).T / self.temperature
        target = torch.arange(len(sim), device=sim.device)
        itc = (F.cross_entropy(sim, target) + F.cross_entropy(sim.T, target)) / 2
        return itc + self._itm_loss(sim.detach(), states, batch["b"])

    def _itm_loss(self, sim: torch.Tensor, states: torch.Tensor, b: Tokens) -> torch.Tensor:
        n = min(len(sim), self.itm_pairs)  # the batch is shuffled: its first items are a random subset
        if n < 2:
            return sim.new_zeros(())
        sim, states, b = sim[:n, :n], states[:n], Tokens(b.input_ids[:n], b.attention_mask[:n])
        off_diagonal = ~torch.eye(n, dtype=torch.bool, device=sim.device)
        neg_text = torch.multinomial(sim.float().softmax(1) * off_diagonal + 1e-6 * off_diagonal, 1).squeeze(1)
        neg_image = torch.multinomial(sim.T.float().softmax(1) * off_diagonal + 1e-6 * off_diagonal, 1).squeeze(1)
        joint = torch.cat([
            self._fuse(states, b),
            self._fuse(states, Tokens(b.input_ids[neg_text], b.attention_mask[neg_text])),
            self._fuse(states[neg_image], b),
        ])
        labels = torch.cat([torch.ones(n), torch.zeros(2 * n)]).long().to(joint.device)
        return F.cross_entropy(self.blip.itm_head(joint), labels)
