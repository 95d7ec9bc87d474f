"""Tiny datasets in each real task's standard layout, with the tiny backbones they name, for
smoke runs (``Task.smoke_data``: the contract tests and ``unlearnbench check-method``).

Every image is a 32 px JPEG of a random colour, a white square at a random place and noise; each
caption (and SNLI-VE hypothesis or NLVR2 statement, with its label, or ChEBI-20 description of a
PubChem molecule from the ``chemicals`` wheel) draws its words at random. Nothing but training
links an image (a molecule) to its texts, so recall and loss on training pairs measure
memorization, which the unlearning checks need (with learnable links, a model fine-tuned on the
retained pairs also fits the forgotten ones, and a retrained model matches them as well as the
original does).
Files are written once per root (a ``.complete`` marker per dataset) and are deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from tasks.molecule_data import load_compounds
from tasks.real.tiny_backbones import IMAGE_SIZE, write_tiny_bert, write_tiny_blip, write_tiny_clip

ADJECTIVES = ["red", "green", "blue", "yellow", "purple", "orange"]
NOUNS = ["dog", "cat", "man", "woman", "car", "bird"]
VERBS = ["runs", "sits", "jumps", "waits", "plays"]
PLACES = ["on the grass", "in the street", "near the water", "at the park", "under a tree"]
N_IMAGES, CAPTIONS = 60, 5
WORDS = ["a", "two", "the", "on", "in", "near", "at", "under", "grass", "street", "water", "park", "tree",
         *ADJECTIVES, *NOUNS, *VERBS]
BACKBONE_WRITERS = {"tiny-clip": write_tiny_clip, "tiny-blip": write_tiny_blip, "tiny-bert": write_tiny_bert}


def _image(path: Path, rng: np.random.Generator) -> None:
    """A random colour, a white square at a random place, and noise."""
    pixels = np.clip(rng.uniform(0, 255, 3) + rng.normal(0, 25, (IMAGE_SIZE, IMAGE_SIZE, 3)), 0, 255)
    top, left = rng.integers(0, IMAGE_SIZE - 8, 2)
    pixels[top: top + 8, left: left + 8] = 255
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.astype(np.uint8)).save(path, quality=95)


def _caption(rng: np.random.Generator) -> str:
    words = (str(rng.choice(choices)) for choices in (ADJECTIVES, NOUNS, VERBS, PLACES))
    return " ".join(["a", *words])


def _write_karpathy(folder: Path, json_name: str, image_dir: str, with_filepath: bool) -> None:
    rng = np.random.default_rng(0)
    entries = []
    for i in range(N_IMAGES):
        filename = f"{1000 + i}.jpg"
        _image(folder / image_dir / filename, rng)
        captions = [_caption(rng) for _ in range(CAPTIONS)]
        entry = {"filename": filename, "imgid": i, "split": "train",
                 "sentences": [{"raw": c, "tokens": c.split()} for c in captions]}
        if with_filepath:
            entry["filepath"] = image_dir
        entries.append(entry)
    (folder / json_name).write_text(json.dumps({"images": entries, "dataset": folder.name}))


def _write_snli_ve(folder: Path) -> None:
    """Three hypotheses over each Flickr30K fixture image, one per class, in a seeded order."""
    rng = np.random.default_rng(1)
    classes = ["entailment", "neutral", "contradiction"]
    lines = [{"Flickr30K_ID": str(1000 + i), "sentence2": _caption(rng), "gold_label": classes[label]}
             for i in range(N_IMAGES) for label in rng.permutation(3)]
    for name, part in zip(("train", "dev", "test"), np.array_split(np.arange(len(lines)), 3)):
        (folder / f"snli_ve_{name}.jsonl").write_text("".join(json.dumps(lines[k]) + "\n" for k in part))


def _write_nlvr2(folder: Path) -> None:
    """Image pairs in each split, each with one statement labelled at random (with a true and
    a false statement per pair, a model infers a forgotten label from the retained one's)."""
    rng = np.random.default_rng(2)
    for split, name, n_pairs in (("train", "train.json", 40), ("dev", "dev.json", 10), ("test1", "test1.json", 10)):
        lines = []
        for n in range(n_pairs):
            directory = {"directory": n % 3} if split == "train" else {}
            prefix = f"{split}-{n}-0"
            for side in (0, 1):
                _image(folder / "images" / split / str(directory.get("directory", "")) / f"{prefix}-img{side}.png", rng)
            lines.append({"identifier": f"{prefix}-0", "sentence": _caption(rng),
                          "label": str(rng.choice(["True", "False"])), **directory})
        (folder / name).write_text("".join(json.dumps(line) + "\n" for line in lines))


def _write_chebi20(folder: Path) -> None:
    """ChEBI-20's three TSV files over ``N_IMAGES`` PubChem molecules, 80/10/10%."""
    rng = np.random.default_rng(3)
    rows = [f"{c.pubchem_id}\t{c.smiles}\t{_caption(rng)}" for c in load_compounds(N_IMAGES)]
    for name, part in zip(("train", "validation", "test"), np.split(np.arange(len(rows)), [48, 54])):
        (folder / f"{name}.txt").write_text("CID\tSMILES\tdescription\n" + "".join(rows[k] + "\n" for k in part))


DATASETS = {
    "flickr30k": lambda folder: _write_karpathy(folder, "dataset_flickr30k.json", "flickr30k-images", False),
    "coco": lambda folder: _write_karpathy(folder, "dataset_coco.json", "val2014", True),
    "snli_ve": _write_snli_ve,
    "nlvr2": _write_nlvr2,
    "chebi20": _write_chebi20,
}
NEEDS = {"snli_ve": ["flickr30k"]}  # SNLI-VE's premises are the Flickr30K images


def write_smoke_data(root: Path, task: str) -> dict[str, str]:
    """Writes ``root/<task>/`` and ``root/models/tiny-*`` (once) and returns ``{"data_dir": root}``."""
    root = Path(root)
    for name, write in BACKBONE_WRITERS.items():
        _once(root / "models" / name, lambda path, write=write: write(path, WORDS))
    for dataset in [*NEEDS.get(task, []), task]:
        _once(root / dataset, DATASETS[dataset])
    return {"data_dir": str(root)}


def _once(path: Path, write) -> None:
    if (path / ".complete").is_file():
        return
    path.mkdir(parents=True, exist_ok=True)
    write(path)
    (path / ".complete").touch()
