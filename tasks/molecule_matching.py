"""Graph-text classification on the compounds of ``molecule_retrieval``: is this the molecule's
name?

Each molecule graph comes with one name, labelled ``match`` or ``mismatch``: half the molecules
get their own name, a quarter a *hard negative*, the most similar other name in the draw
(cosine of character-trigram TF-IDF vectors, e.g. "ethyl acetate" for "methyl acetate", whose
molecules differ by one carbon), a quarter a random other compound's name (seeded by
``data_seed``). The classifier must tell the molecule from its near namesakes. The task has no
classes to forget as a unit (``class`` forgetting is refused).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from torch_geometric.data import Batch

from bench.registry import register_task
from tasks.models.graph_tower import GraphTower
from tasks.molecule_data import check_n_compounds, featurize, load_compounds
from tasks.pair_matching import PairMatchingTask, balanced

MISMATCH, MATCH = 0, 1


def most_similar_names(names: list[str], chunk: int = 512) -> np.ndarray:
    """[N] for each name, the position of the most similar *other* name by character-trigram
    TF-IDF cosine (ties: the first)."""
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3)).fit_transform(names)
    nearest = np.empty(len(names), dtype=np.int64)
    for start in range(0, len(names), chunk):
        sim = (vectors[start:start + chunk] @ vectors.T).toarray()
        rows = np.arange(len(sim))
        sim[rows, start + rows] = -1.0  # never itself
        nearest[start:start + chunk] = sim.argmax(1)
    return nearest


@register_task("molecule_matching")
class MoleculeMatching(PairMatchingTask):
    """Defaults (2,000 compounds, 12 epochs) measured with a throwaway suite (retrain only,
    forget random 10%, seeds 0 and 1, ``--threads 1`` on 2 CPU cores shared with other jobs):
    the original memorizes (forget / test accuracy 0.875 / 0.610 and 0.887 / 0.615; chance 0.5)
    and a retrain does not (0.581 / 0.605 and 0.588 / 0.610; 160 forget and 200 test items);
    23-55 s per training, depending on the load."""

    name = "molecule_matching"
    class_names = ("mismatch", "match")
    matched_name = "match"
    smoke_params = dict(n_compounds=240, dim=32, layers=2, epochs=20, batch_size=32, lr=3e-3,
                        max_text_tokens=16)

    def __init__(self, n_compounds: int = 2000, data_seed: int = 0, dim: int = 128, layers: int = 3,
                 fusion_layers: int = 1, epochs: int = 12, batch_size: int = 64, lr: float = 2e-3,
                 max_text_tokens: int = 32, align_weight: float = 1.0, unlearn_batch_size: int = 64):
        super().__init__(dim=dim, fusion_layers=fusion_layers, epochs=epochs, batch_size=batch_size,
                         lr=lr, max_text_tokens=max_text_tokens, unlearn_batch_size=unlearn_batch_size)
        self.n_compounds = n_compounds
        self.data_seed = data_seed
        self.align_weight = align_weight
        self.layers = layers

    def available_items(self) -> int:
        return check_n_compounds(self.name, self.n_compounds)

    def load_entities(self):
        compounds = load_compounds(self.n_compounds, seed=self.data_seed)
        self._names = [c.name for c in compounds]
        return featurize(compounds), self._names

    def draw_statements(self, rng):
        """Half of the molecules get their own name, a quarter the most similar other name, a
        quarter a random other name."""
        n = len(self._names)
        own = np.arange(n)
        wanted = balanced(n, 4, rng)
        random_other = (own + rng.integers(1, n, n)) % n
        named = np.select([wanted < 2, wanted == 2], [own, most_similar_names(self._names)], random_other)
        return own, named

    def relation(self, entities, named):
        # Names are unique within a draw (load_compounds drops duplicates): same name, same molecule.
        return np.where(named == entities, MATCH, MISMATCH)

    def collate_entities(self, entities: Sequence[int]) -> Batch:
        return Batch.from_data_list([self._items[i] for i in entities])

    def new_a_tower(self) -> GraphTower:
        return GraphTower(dim=self.dim, layers=self.layers)
