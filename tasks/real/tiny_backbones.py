"""Tiny, randomly initialised CLIP, BLIP and BERT checkpoints with a word-level tokenizer, written
with ``save_pretrained`` in the layout a real backbone dir has (config, weights, tokenizer,
``preprocessor_config.json`` for the image models): what smoke runs and tests load instead of a
downloaded model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import torch

IMAGE_SIZE = 32
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, CLS, SEP = 0, 2, 3
CLIP_MEAN, CLIP_STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]
TOWER = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2)


def _write_tokenizer(path: Path, words: Sequence[str]) -> int:
    from transformers import BertTokenizer

    vocab = {word: i for i, word in enumerate([*SPECIAL, *sorted(set(words))])}
    BertTokenizer(vocab=vocab).save_pretrained(path)
    return len(vocab)


def _write_preprocessor(path: Path, size: dict, crop: bool) -> None:
    config = {"size": size, "do_resize": True, "do_center_crop": crop, "do_normalize": True, "resample": 3,
              "image_mean": CLIP_MEAN, "image_std": CLIP_STD}
    if crop:
        config["crop_size"] = {"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    (path / "preprocessor_config.json").write_text(json.dumps(config, indent=1))


def write_tiny_clip(path: Path, words: Sequence[str], seed: int = 0) -> None:
    from transformers import CLIPConfig, CLIPModel

    path.mkdir(parents=True, exist_ok=True)
    vocab_size = _write_tokenizer(path, words)
    config = CLIPConfig(
        text_config=dict(vocab_size=vocab_size, max_position_embeddings=64, pad_token_id=PAD, bos_token_id=CLS,
                         eos_token_id=SEP, **TOWER),
        vision_config=dict(image_size=IMAGE_SIZE, patch_size=8, **TOWER), projection_dim=32,
        logit_scale_init_value=4.6052)  # ln 100, the value pretrained CLIP checkpoints hold
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        CLIPModel(config).save_pretrained(path)
    _write_preprocessor(path, {"shortest_edge": IMAGE_SIZE}, crop=True)


def write_tiny_blip(path: Path, words: Sequence[str], seed: int = 0) -> None:
    from transformers import BlipConfig, BlipForImageTextRetrieval

    path.mkdir(parents=True, exist_ok=True)
    vocab_size = _write_tokenizer(path, words)
    config = BlipConfig(
        text_config=dict(vocab_size=vocab_size, max_position_embeddings=64, encoder_hidden_size=32,
                         pad_token_id=PAD, bos_token_id=CLS, eos_token_id=SEP, sep_token_id=SEP, **TOWER),
        vision_config=dict(image_size=IMAGE_SIZE, patch_size=8, **TOWER), projection_dim=32,
        image_text_hidden_size=32)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        BlipForImageTextRetrieval(config).save_pretrained(path)
    _write_preprocessor(path, {"height": IMAGE_SIZE, "width": IMAGE_SIZE}, crop=False)


def write_tiny_bert(path: Path, words: Sequence[str], seed: int = 0) -> None:
    """A BERT-like text encoder, as ``chebi20`` reads one (SciBERT's layout: no preprocessor)."""
    from transformers import BertConfig, BertModel

    path.mkdir(parents=True, exist_ok=True)
    vocab_size = _write_tokenizer(path, words)
    config = BertConfig(vocab_size=vocab_size, max_position_embeddings=64, pad_token_id=PAD, **TOWER)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        BertModel(config).save_pretrained(path)
