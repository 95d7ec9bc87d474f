"""A per-example contrastive loss for pair models whose training loss is in-batch contrastive
(CLIP's, BLIP's ITC): each pair against a fixed set of probe negatives instead of the rest of
its batch, so the loss of an example does not depend on the batch it comes in.

The probes are 16 seeded noise images and 16 texts of seeded random token ids between the
tokenizer's begin and end tokens; they are buffers, never trained and not saved with the
weights. The raw cosine of a pair, the simpler batch-independent score, moved the wrong way on
the smoke fixtures: in-batch contrastive training and gradient ascent on it both move all
cosines together, so every unlearning method *raised* the forgotten pairs' cosines while
lowering their margin over other inputs. Against probes the loss tracks that margin.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from tasks.real.text import Tokens

N_PROBES, PROBE_TOKENS = 16, 6


class ProbeContrast(nn.Module):
    def __init__(self, vision_config, text_config):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        size = vision_config.image_size
        self.register_buffer("pixels", torch.randn(N_PROBES, 3, size, size, generator=g), persistent=False)
        bos, eos = text_config.bos_token_id, text_config.eos_token_id
        special = torch.tensor([bos, eos, text_config.pad_token_id])
        # Drawn 8 times over, then the special tokens dropped: enough left even in a tiny vocabulary.
        ids = torch.randint(0, text_config.vocab_size, (8 * N_PROBES * PROBE_TOKENS,), generator=g)
        ids = ids[~torch.isin(ids, special)][: N_PROBES * PROBE_TOKENS].view(N_PROBES, PROBE_TOKENS)
        ends = torch.full((N_PROBES, 1), bos), torch.full((N_PROBES, 1), eos)
        self.register_buffer("input_ids", torch.cat([ends[0], ids, ends[1]], 1), persistent=False)

    def logits(self, ea: torch.Tensor, eb: torch.Tensor, encode_a: Callable, encode_b: Callable,
               scale) -> tuple[torch.Tensor, torch.Tensor]:
        """``[B, 1 + N_PROBES]`` a->b and b->a logits of each pair's normalised embeddings
        ``ea``, ``eb``: column 0 the pair itself, then the probes of the other modality."""
        probe_a = encode_a(self.pixels)
        probe_b = encode_b(Tokens(self.input_ids, torch.ones_like(self.input_ids)))
        matched = (ea * eb).sum(-1, keepdim=True)
        return torch.cat([matched, ea @ probe_b.T], 1) * scale, torch.cat([matched, eb @ probe_a.T], 1) * scale

    @staticmethod
    def losses(a2b: torch.Tensor, b2a: torch.Tensor) -> torch.Tensor:
        """[B] symmetric cross-entropy of the pair against the probes."""
        return -(a2b.log_softmax(1)[:, 0] + b2a.log_softmax(1)[:, 0]) / 2

    @staticmethod
    def match_probability(a2b: torch.Tensor, b2a: torch.Tensor) -> torch.Tensor:
        """[B] mean over both directions of the pair's softmax probability among the probes."""
        return (a2b.softmax(1)[:, 0] + b2a.softmax(1)[:, 0]) / 2
