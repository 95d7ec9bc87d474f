"""ChEBI-20 molecule-text retrieval (Edwards et al. 2021, "Text2Mol": 33,010 ChEBI molecules,
each with a description of at least 20 words) from the MolT5 release's layout on the user's
disk, with the embedded GINE graph tower and a pretrained BERT-like text encoder fine-tuned in
the fusion model of ``tasks.models.graph_text_fusion``.

Layout: ``DATA_DIR/chebi20/{train,validation,test}.txt``, tab-separated with a header line
naming the columns ``CID``, ``SMILES`` and ``description``. Like every task of the harness, the
three files are pooled and split per seed; ``n_molecules`` takes the first N usable molecules
in file order. A SMILES that RDKit cannot parse (or whose atom or bond features
torch-geometric's ``from_smiles`` has no slot for) is skipped with a warning that counts them,
since one bad row of a 33k-row file should not stop a run. Molecules are featurized once per
process, when the files are read (33,010 PubChem SMILES took 21 s and about 160 MB on the shared
2-core development machine); descriptions are tokenized batch by batch.

One description per molecule: an item is a molecule, ``image`` forgetting equals ``random``
forgetting, and evaluation (``tasks.real.real_retrieval``) is one-text Recall@K at one gallery
size in molecules (``eval.gallery_size``), scored in chunks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
from rdkit import RDLogger
from torch_geometric.data import Batch

from bench.registry import register_task
from tasks.models.graph_text_fusion import GraphTextFusion
from tasks.models.graph_tower import GraphTower
from tasks.molecule_data import molecule_graph
from tasks.real.real_pair_task import PairItems
from tasks.real.real_retrieval import RealRetrievalTask

FILES = ("train.txt", "validation.txt", "test.txt")
COLUMNS = ("CID", "SMILES", "description")


@dataclass(frozen=True)
class MoleculeItems(PairItems):
    """Items whose first modality is a molecule graph (``image_of[i]`` = i): no image files."""

    graphs: tuple = ()


@register_task("chebi20")
class Chebi20(RealRetrievalTask):
    """Defaults are meant for a GPU and not calibrated here: Text2Mol's shape of recipe (SciBERT
    fine-tuned together with a graph encoder), ``molecule_retrieval``'s tower size, and one
    learning rate (1e-4) between BERT fine-tuning's usual 2e-5..5e-5 and the 2e-3 at which
    ``molecule_retrieval`` trains its towers from scratch."""

    name = "chebi20"
    folder = "chebi20"
    layout = ("DATA_DIR/chebi20/{train,validation,test}.txt (tab-separated, a header line naming "
              "CID, SMILES and description: the MolT5 ChEBI-20 release)")
    gallery_metric = "eval.gallery_size"
    #: Random descriptions on the fixture (``tasks.real.smoke_data``): 40 epochs memorize them.
    smoke_params: ClassVar[dict] = dict(backbone_dir="models/tiny-bert", dim=32, layers=2, epochs=40,
                                        batch_size=16, lr=3e-3, max_text_tokens=16, eval_draws=2,
                                        unlearn_batch_size=16)

    def __init__(self, data_dir: str | None = None, n_molecules: int | None = None, backbone_dir: str | None = None,
                 dim: int = 128, layers: int = 3, fusion_layers: int = 1, epochs: int = 10, batch_size: int = 64,
                 lr: float = 1e-4, max_text_tokens: int = 128, eval_draws: int = 5, unlearn_batch_size: int = 64):
        super().__init__(data_dir=data_dir, backbone="bert", backbone_dir=backbone_dir, epochs=epochs,
                         batch_size=batch_size, lr=lr, max_text_tokens=max_text_tokens,
                         unlearn_batch_size=unlearn_batch_size, eval_draws=eval_draws)
        self.n_molecules = n_molecules
        self.dim = dim
        self.layers = layers
        self.fusion_layers = fusion_layers

    def read_items(self, root: Path) -> MoleculeItems:
        rows = [row for name in FILES for row in self._rows(root / name)]
        if self.n_molecules is not None and not 0 < self.n_molecules <= len(rows):
            raise self.layout_error(f"n_molecules={self.n_molecules} but the files hold {len(rows)} molecules")
        RDLogger.DisableLog("rdApp.*")  # unparsable SMILES are counted below, not logged one by one
        graphs, texts, skipped = [], [], []
        for cid, smiles, description in rows:
            graph = molecule_graph(smiles)
            if graph is None:
                skipped.append(cid)
                continue
            graphs.append(graph)
            texts.append(description)
            if len(graphs) == self.n_molecules:
                break
        if skipped:
            warnings.warn(f"{self.name}: skipped {len(skipped)} of {len(graphs) + len(skipped)} molecules whose "
                          f"SMILES RDKit cannot parse or featurize (e.g. CID {skipped[0]})", stacklevel=2)
        if self.n_molecules is not None and len(graphs) < self.n_molecules:
            raise self.layout_error(f"n_molecules={self.n_molecules} but only {len(graphs)} molecules of the files "
                                    f"have a usable SMILES")
        order = np.arange(len(graphs))
        return MoleculeItems(paths=[], image_of=order, texts=texts, groups=order.copy(), graphs=tuple(graphs))

    def _rows(self, path: Path) -> list[tuple[str, str, str]]:
        """(CID, SMILES, description) of each line after the header; a missing file, a header
        without the three columns or a line of another width is a layout error."""
        if not path.is_file():
            raise self.layout_error(f"{path} is missing")
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split("\t") if lines else []
        if not set(COLUMNS) <= set(header):
            raise self.layout_error(f"{path} has no header line naming the columns {', '.join(COLUMNS)}")
        columns = [header.index(name) for name in COLUMNS]
        rows = []
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != len(header):
                raise self.layout_error(f"{path}:{number} has {len(fields)} tab-separated fields, not {len(header)}")
            rows.append(tuple(fields[c].strip() for c in columns))
        return rows

    def inputs_a(self, molecules: np.ndarray) -> Batch:
        graphs = self.items().graphs
        return Batch.from_data_list([graphs[i] for i in molecules.ravel()])

    def build_model(self, text_encoder) -> GraphTextFusion:
        return GraphTextFusion(GraphTower(dim=self.dim, layers=self.layers), text_encoder, dim=self.dim,
                               fusion_layers=self.fusion_layers)
