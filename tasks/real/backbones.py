"""The pretrained backbones a real-data task can fine-tune, each read from a local directory
written by transformers' ``save_pretrained`` (nothing is downloaded): the model's
``config.json`` and weights, its tokenizer, and its ``preprocessor_config.json``.

A relative ``backbone_dir`` is resolved against the data dir, so the same task params (and cell
id) serve every machine that lays its data out the same way (docs/real_data.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from bench.errors import UserError
from tasks.models.blip_backbone import BlipPairModel
from tasks.models.clip_backbone import ClipPairModel
from tasks.real.images import CONFIG as PREPROCESSOR_CONFIG

TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json")


class TextEncoder:
    """A BERT-like text encoder (``transformers.AutoModel``), the text tower that ``chebi20``
    fine-tunes inside its fusion model (``tasks.models.graph_text_fusion``)."""

    @staticmethod
    def pretrained(backbone_dir: Path) -> torch.nn.Module:
        from transformers import AutoModel

        return AutoModel.from_pretrained(backbone_dir, local_files_only=True)

    @staticmethod
    def randomly_initialised(backbone_dir: Path) -> torch.nn.Module:
        from transformers import AutoConfig, AutoModel

        return AutoModel.from_config(AutoConfig.from_pretrained(backbone_dir, local_files_only=True))


@dataclass(frozen=True)
class BackboneKind:
    model: type  # with ``pretrained`` and ``randomly_initialised``: a pair model, or a text tower
    default_dir: str  # relative to the data dir
    checkpoint: str  # the Hugging Face checkpoint the default dir is meant to hold
    files: tuple[str, ...] = ("config.json", PREPROCESSOR_CONFIG)  # besides tokenizer and weights


KINDS = {
    "clip": BackboneKind(ClipPairModel, "models/clip-vit-base-patch32",
                         "openai/clip-vit-base-patch32"),
    "blip": BackboneKind(BlipPairModel, "models/blip-itm-base-coco",
                         "Salesforce/blip-itm-base-coco"),
    # SciBERT: the text encoder of Text2Mol (Edwards et al. 2021), which introduced ChEBI-20.
    "bert": BackboneKind(TextEncoder, "models/scibert_scivocab_uncased",
                         "allenai/scibert_scivocab_uncased", files=("config.json",)),
}


@dataclass(frozen=True)
class Backbone:
    kind: str
    path: Path

    @classmethod
    def locate(cls, kind: str, backbone_dir: str | None, data_dir: Path) -> "Backbone":
        if kind not in KINDS:
            raise UserError(f"backbone {kind!r} is not one of {', '.join(KINDS)}.")
        path = Path(backbone_dir or KINDS[kind].default_dir).expanduser()
        return cls(kind, path if path.is_absolute() else data_dir / path)

    def check(self, task: str) -> None:
        """One line naming what is missing, before anything is loaded."""
        kind = KINDS[self.kind]
        layout = (f"a save_pretrained directory of {kind.checkpoint} with model weights, tokenizer files "
                  f"and {' and '.join(kind.files)}")
        missing = [name for name in kind.files if not (self.path / name).is_file()]
        if not any((self.path / name).is_file() for name in TOKENIZER_FILES):
            missing.append("a tokenizer (tokenizer.json or vocab.txt/vocab.json)")
        if not any(self.path.glob("*.safetensors")) and not any(self.path.glob("*.bin")):
            missing.append("model weights (*.safetensors)")
        if missing:
            raise UserError(f"{task}: backbone dir {self.path} lacks {', '.join(missing)}; expected {layout}.")

    def pretrained(self) -> torch.nn.Module:
        _quiet_loading()
        return KINDS[self.kind].model.pretrained(self.path)

    def randomly_initialised(self) -> torch.nn.Module:
        return KINDS[self.kind].model.randomly_initialised(self.path)


def _quiet_loading() -> None:
    """No transformers progress bar per model load: a run loads the backbone once per model."""
    from transformers.utils import logging

    logging.disable_progress_bar()
