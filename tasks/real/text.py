"""Captions as token ids, tokenized per batch with the backbone's own tokenizer (a caption is a
few dozen bytes: nothing is precomputed or held besides the strings)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Sequence

import torch


class Tokens(NamedTuple):
    """A batch of texts: ``input_ids`` and ``attention_mask``, both ``[B, L]``."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor


class TextTokenizer:
    """``AutoTokenizer.from_pretrained(backbone_dir)``, padded per batch and truncated at
    ``max_tokens`` (CLIP's text tower holds 77 positions)."""

    def __init__(self, backbone_dir: Path, max_tokens: int):
        from transformers import AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(backbone_dir, local_files_only=True)
        self.max_tokens = max_tokens

    def __call__(self, texts: Sequence[str]) -> Tokens:
        out = self._tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_tokens,
                              return_tensors="pt")
        return Tokens(out["input_ids"], out["attention_mask"])
