"""Real PubChem compounds (SMILES + common name) from the table shipped in the `chemicals` wheel.

The graph-text tasks pair a molecule graph with its name. The data is the 71,347-row file
``chemicals/Identifiers/chemical identifiers pubchem large.tsv`` (tab-separated, no header:
pubchem id, CAS, formula, MW, SMILES, InChI, InChIKey, IUPAC name, common name, synonyms...), so
nothing is downloaded at run time.

Filtering, in this order (each step says why):

1. Rows without SMILES or common name are skipped (there are none in chemicals 1.x, but the
   file is not ours).
2. Common names that are registry or catalogue codes are dropped (``is_registry_code``): CAS
   numbers (``50-00-0``), EC numbers (``einecs 233-025-2``), database/vendor ids (``nsc 12345``,
   ``stk366316``, ``zinc123``, ``akos...``, ``mfcd...``, ``ccris 12``, ``ac1l197p``,
   ``unii-...``), short sponsor codes (``sb 239063``, ``am580``) and strings that are mostly
   digits. A code says nothing about the structure, so no model can learn the pair. Measured
   on chemicals 1.x: 19.6% (13,959) of the 71,347 common names are such codes, 10.7% CAS
   numbers alone. Trade names with a number ("dowco 177", "aroclor 1016", ~0.5% of what
   remains) are kept: they are names, if uninformative ones.
3. Names equal to the IUPAC name (5,363 rows) or to the molecular formula are dropped: they
   spell out the structure and make retrieval trivially easy. (PubChem's IUPAC column uses the
   ``oxidanyl`` style, so systematic common names such as "2,3-dihydroxybenzoic acid" remain.)
4. Molecules outside 2..60 heavy atoms are dropped (counted cheaply from the formula column,
   then confirmed with rdkit for the drawn molecules).
5. Near-duplicates are removed, keeping the first row in file order (lowest pubchem id):
   one compound per first InChIKey block (the 14 characters before the first '-'; it folds
   stereoisomers and isotopologues) and, because a counterion changes that block, also one
   per *parent key*: the formula, connectivity and hydrogen layers of the InChI's first
   component (``sodium acetate`` and ``acetic acid`` share it). Then duplicate names are dropped.

The subset is the first ``n_compounds`` of the filtered pool after a ``random.Random(seed)``
shuffle, skipping any that rdkit cannot parse or featurize (17 SMILES in the file do not parse).
So, for one seed, a smaller draw is a prefix of a larger one. Only the file is split per line
in Python; rdkit runs only on drawn molecules and their replacements. The pool is read once per
process (~0.6 s). 45,974 compounds pass the string filters and 45,963 of those also pass rdkit;
that is the most ``load_compounds`` can return.
"""

from __future__ import annotations

import functools
import os
import random
import re
from dataclasses import dataclass

import chemicals
import torch_geometric.data
from rdkit import Chem, RDLogger
from torch_geometric.utils import from_rdmol, from_smiles
from torch_geometric.utils.smiles import x_map
from tqdm import tqdm

from bench.errors import UserError

PUBCHEM_TSV = os.path.join(
    os.path.dirname(chemicals.__file__), "Identifiers", "chemical identifiers pubchem large.tsv"
)
MIN_HEAVY_ATOMS, MAX_HEAVY_ATOMS = 2, 60


@dataclass(frozen=True)
class Compound:
    pubchem_id: int
    smiles: str
    name: str  # PubChem's common name, lowercase as given in the file
    inchikey: str


# A whole-string match means "this name is an identifier, not a name".
_REGISTRY_CODE = re.compile(
    r"""
      \d{2,7}-\d{2}-\d                                   # CAS registry number: 50-00-0
    | (?:einecs|elincs|ec)\s?\d{3}-\d{3}-\d              # EC number: einecs 233-025-2
    | (?:nsc|stk|st|zinc|akos|mfcd|ccris|brn|hsdb|ai3|ctk|jsp|mls|smr|surecn|chembl|schembl
       |dtxsid|tox21|ncgc|cid|ks|sbb|ambcb|bspbio|kbio|spectrum|caswell|wln)
      [\s\-_:]?\d[a-z0-9\-]*                             # database id: nsc 12345, zinc123, ccris 12
    | (?:akos|mfcd|unii-|agn-pc-|ag-[a-z]-|acmc-|gnf-pf-)
      (?=[a-z0-9\-]*\d)[a-z0-9\-]+                       # alphanumeric ids: unii-3gvj31t6yy
    | ac1[a-z0-9]{4,}                                    # PubChem's old ac1 ids: ac1l197p, ac1nqyyp
    | [a-z]{1,4}[\s\-]?\d+[a-z]?                         # short sponsor codes: sb 239063, am580
    """,
    re.VERBOSE,
)


def _mostly_digits(name: str) -> bool:
    """At least 4 digits, and more digits than letters (keeps '2,4-d', drops 'ro 2-3202/2')."""
    alnum = [c for c in name if c.isalnum()]
    digits = sum(c.isdigit() for c in alnum)
    return digits >= 4 and 2 * digits > len(alnum)


def is_registry_code(name: str) -> bool:
    """True if ``name`` is an identifier (CAS/EC number, database or sponsor code) not a name."""
    name = name.strip().lower()
    return bool(_REGISTRY_CODE.fullmatch(name)) or _mostly_digits(name)


def is_usable_name(name: str, iupac: str = "", formula: str = "") -> bool:
    """A name worth pairing with a structure: not empty, not a code, not the IUPAC name or
    formula (those spell out the structure)."""
    key = name.strip().lower()
    spelled_out = (iupac.strip().lower(), formula.strip().lower())
    return bool(key) and not is_registry_code(key) and key not in spelled_out


_FORMULA_ATOM = re.compile(r"(?:\[\d+)?([A-Z][a-z]?)\]?(\d*)")  # also '[13C]2'


def _heavy_atoms(formula: str) -> int:
    return sum(int(n or 1) for el, n in _FORMULA_ATOM.findall(formula) if el not in ("H", "D", "T"))


def _parent_key(inchi: str) -> str | None:
    """Formula + /c + /h layers of the first InChI component (without charge, proton, stereo
    and isotope layers): shared by a salt and its parent. None for an inorganic first component,
    whose key ('Li/h') would collide across unrelated salts."""
    layers = inchi.removeprefix("InChI=1S/").split("/")
    formula = re.sub(r"^\d+", "", layers[0].split(".")[0])
    if not re.match(r"C(?![a-z])", formula):
        return None
    # Multi-component layers are ';'-separated; a repeated component is written '2*1-2(3)4'.
    first = [L[0] + re.sub(r"^\d+\*", "", L[1:].split(";")[0]) for L in layers[1:] if L[:1] in ("c", "h")]
    return "/".join([formula, *first])


@functools.lru_cache(maxsize=2)
def candidate_pool(path: str = PUBCHEM_TSV) -> tuple[Compound, ...]:
    """Every compound of ``path`` that passes the filters, in file order (before rdkit)."""
    pool, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t", 9)
            if len(cols) < 9:
                continue
            cid, _cas, formula, _mw, smiles, inchi, inchikey, iupac, name = cols[:9]
            if not smiles or not is_usable_name(name, iupac, formula):
                continue
            if not MIN_HEAVY_ATOMS <= _heavy_atoms(formula) <= MAX_HEAVY_ATOMS:
                continue
            keys = {("inchikey block", inchikey.split("-")[0]), ("name", name)}
            if (parent := _parent_key(inchi)) is not None:
                keys.add(("parent", parent))
            if keys & seen:  # a near-duplicate of, or a name clash with, an earlier row
                continue
            seen |= keys
            pool.append(Compound(int(cid), smiles, name, inchikey))
    return tuple(pool)


def check_n_compounds(task: str, n_compounds: int) -> int:
    """``n_compounds`` when the string-filtered pool holds that many, else ``UserError``; cheap
    (rdkit rejects a further 11 of ~46,000 when the data is loaded, which ``load_compounds``
    reports in the same way)."""
    pool = len(candidate_pool())
    if not 0 < n_compounds <= pool:
        raise UserError(f"{task}: n_compounds={n_compounds} but at most {pool} PubChem compounds "
                        f"pass the filters; use 1 <= n_compounds <= {pool}.")
    return n_compounds


def _featurizable(smiles: str) -> bool:
    """rdkit parses it, the heavy-atom count is in range, and every atom's numeric feature has a
    slot in torch_geometric's x_map (two metal oxides in the file have charge +7/+8)."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or not MIN_HEAVY_ATOMS <= mol.GetNumHeavyAtoms() <= MAX_HEAVY_ATOMS:
        return False
    return all(
        a.GetFormalCharge() in x_map["formal_charge"]
        and a.GetTotalDegree() in x_map["degree"]
        and a.GetTotalNumHs() in x_map["num_hs"]
        and a.GetNumRadicalElectrons() in x_map["num_radical_electrons"]
        for a in mol.GetAtoms()
    )


def load_compounds(n_compounds: int, seed: int = 0, *, path: str = PUBCHEM_TSV) -> list[Compound]:
    """``n_compounds`` distinct compounds: the first of the filtered pool after a seeded shuffle.
    ``path`` is for tests (a small file in the same format).

    load_compounds(6000) takes ~0.9 s in a fresh process (~0.5-0.7 s building the pool, ~0.4 s
    of rdkit checks); later calls reuse the pool (measured on a shared 2-core CPU).
    """
    if n_compounds < 1:
        raise UserError(f"n_compounds must be at least 1, got {n_compounds}")
    RDLogger.DisableLog("rdApp.*")  # unparsable SMILES are expected; they are replaced silently
    order = list(candidate_pool(path))
    random.Random(seed).shuffle(order)
    chosen = []
    for compound in order:
        if _featurizable(compound.smiles):
            chosen.append(compound)
            if len(chosen) == n_compounds:
                return chosen
    raise UserError(
        f"asked for {n_compounds} molecules but only {len(chosen)} PubChem compounds in "
        f"'{os.path.basename(path)}' pass the filters; use n_compounds <= {len(chosen)}"
    )


def featurize(compounds: list[Compound]) -> list[torch_geometric.data.Data]:
    """One graph per compound via ``torch_geometric.utils.from_smiles``: ``x`` [n_atoms, 9] and
    ``edge_attr`` [n_edges, 3] are long category indices into ``x_map`` / ``e_map``, ``edge_index``
    [2, n_edges] has both directions of every bond. 6,000 molecules take ~1.7 s on one CPU core
    (measured on a shared 2-core machine), so it is cheap enough to redo rather than cache.
    """
    return [from_smiles(c.smiles) for c in tqdm(compounds, desc="featurizing molecules", disable=None)]


def molecule_graph(smiles: str) -> torch_geometric.data.Data | None:
    """The graph ``featurize`` builds for ``smiles``, or None where RDKit cannot parse it or an
    atom or bond has a feature with no slot in ``x_map`` / ``e_map``. For datasets read from the
    user's disk (ChEBI-20), which skip such molecules with a count: ``from_smiles`` itself would
    return an empty graph for an unparsable SMILES and raise on a missing slot."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    try:
        graph = from_rdmol(mol)
    except ValueError:  # list.index of a feature value x_map / e_map lacks
        return None
    graph.smiles = smiles
    return graph
