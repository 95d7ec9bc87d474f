"""The PubChem name filters on hand-written strings, and the properties of a real draw."""

import dataclasses

import pytest
import torch
from rdkit import Chem

from bench.errors import UserError
from tasks import molecule_data as md

CODES = [
    "50-00-0", "7732-18-5", "1064-48-8 (parent)",  # CAS numbers
    "einecs 233-025-2", "ec 200-001-8",  # EC numbers
    "nsc 12345", "nsc94017", "stk366316", "st51006713", "zinc123", "zinc00001234",
    "akos000123456", "akosbbs-00004321", "mfcd00012345", "ccris 12", "brn 0142720",
    "ac1l197p", "ac1nqyyp", "unii-dkb52s61gu", "agn-pc-01ltlq", "ag-g-58509", "ctk1d1840",
    "chembl397705", "sb 239063", "am580", "icr 311", "ro 2-3202/2", "12345",
]
NAMES = [
    "caffeine", "aspirin", "tartronic acid", "2,3-dihydroxybenzoic acid", "9-ethyladenine",
    "2,4-d", "2,4,5-t", "vitamin b12", "coumarin 311", "hoechst 33342", "1,10-phenanthroline",
    "l-dopa", "zinc chloride", "zinc", "stearic acid", "styrene-d8", "nicotine-d-bitartrate",
    "akuammine", "mfcd", "acetylcholine", "benzo(a)pyrene", "c60 fullerene",
]


@pytest.mark.parametrize("name", CODES)
def test_registry_codes_are_rejected(name):
    assert md.is_registry_code(name)
    assert not md.is_usable_name(name)


@pytest.mark.parametrize("name", NAMES)
def test_real_names_are_kept(name):
    assert not md.is_registry_code(name)
    assert md.is_usable_name(name, iupac="something else", formula="C1")


def test_iupac_and_formula_equal_names_are_rejected():
    iupac = "2-acetyloxybenzoic acid"
    assert not md.is_usable_name(iupac, iupac=iupac, formula="C9H8O4")
    assert not md.is_usable_name(" 2-Acetyloxybenzoic acid", iupac=iupac, formula="C9H8O4")
    assert not md.is_usable_name("c9h8o4", iupac=iupac, formula="C9H8O4")
    assert md.is_usable_name("aspirin", iupac=iupac, formula="C9H8O4")
    assert not md.is_usable_name("", iupac=iupac)


def test_heavy_atoms_from_formula():
    assert md._heavy_atoms("C7H9N5") == 12
    assert md._heavy_atoms("C2H3NaO2") == 5  # sodium acetate: Na counts
    assert md._heavy_atoms("[13C]2H3NaO2") == 5
    assert md._heavy_atoms("C7H16NO3+") == 11
    assert md._heavy_atoms("H2") == 0


def test_parent_key_folds_salts_and_stereo_but_not_different_molecules():
    acetic = "C2H4O2/c1-2(3)4/h1H3,(H,3,4)"
    sodium_acetate = "C2H4O2.Na/c1-2(3)4;/h1H3,(H,3,4);/q;+1/p-1"
    calcium_acetate = "2C2H4O2.Ca/c2*1-2(3)4;/h2*1H3,(H,3,4);/q;+2/p-2"
    assert md._parent_key(acetic) == md._parent_key(sodium_acetate) == md._parent_key(calcium_acetate)
    l_ala = "InChI=1S/C3H7NO2/c1-2(4)3(5)6/h2H,4H2,1H3,(H,5,6)/t2-/m0/s1"
    d_ala = "InChI=1S/C3H7NO2/c1-2(4)3(5)6/h2H,4H2,1H3,(H,5,6)/t2-/m1/s1"
    beta_ala = "InChI=1S/C3H7NO2/c4-2-1-3(5)6/h1-2,4H2,(H,5,6)"
    assert md._parent_key(l_ala) == md._parent_key(d_ala) != md._parent_key(beta_ala)
    assert md._parent_key("Li.H2O/h;1H2/q+1;/p-1") is None  # inorganic: no key


# A small file in the PubChem table's format: (cid, formula, smiles, inchi, inchikey, iupac, name).
ROWS = [
    (1, "C2H4O2", "CC(=O)O", "C2H4O2/c1-2(3)4/h1H3,(H,3,4)", "QTBSBXVTEAMEQO-UHFFFAOYSA-N",
     "ethanoic acid", "acetic acid"),  # kept
    (2, "C2H3NaO2", "CC(=O)[O-].[Na+]", "C2H4O2.Na/c1-2(3)4;/h1H3,(H,3,4);/q;+1/p-1",
     "VMHLLURERBWHNL-UHFFFAOYSA-M", "sodium;acetate", "sodium acetate"),  # salt of row 1
    (3, "C2H6O", "CCO", "C2H6O/c1-2-3/h3H,2H2,1H3", "LFQSCWFLJHTTHZ-UHFFFAOYSA-N",
     "ethanol", "ethanol"),  # name == IUPAC name
    (4, "C2H6O", "CCO", "C2H6O/c1-2-3/h3H,2H2,1H3", "LFQSCWFLJHTTHZ-UHFFFAOYSA-N",
     "ethanol", "ethyl alcohol"),  # kept: row 3 was filtered out before it could claim the key
    (5, "C3H7NO2", "C[C@@H](C(=O)O)N", "C3H7NO2/c1-2(4)3(5)6/h2H,4H2,1H3,(H,5,6)/t2-/m0/s1",
     "QNAYBMKLOCPYGJ-REOHCLBHSA-N", "2-aminopropanoic acid", "l-alanine"),  # kept
    (6, "C3H7NO2", "C[C@H](C(=O)O)N", "C3H7NO2/c1-2(4)3(5)6/h2H,4H2,1H3,(H,5,6)/t2-/m1/s1",
     "QNAYBMKLOCPYGJ-UWTATZPHSA-N", "2-aminopropanoic acid", "d-alanine"),  # stereoisomer of 5
    (7, "CH2O", "C=O", "CH2O/c1-2/h1H2", "WSFSSNUMVMOOMR-UHFFFAOYSA-N", "methanal", "50-00-0"),
    (8, "C3H6O2", "CCC(=O)O", "C3H6O2/c1-2-3(4)5/h2H2,1H3,(H,4,5)", "XBDQKXXYIPTUBI-UHFFFAOYSA-N",
     "propanoic acid", "acetic acid"),  # a name already taken
    (9, "H2", "[HH]", "H2/h1H", "UFHFLCQGNIYNRP-UHFFFAOYSA-N", "molecular hydrogen", "hydrogen"),
    (10, "C61H124", "C" * 61, "C61H124/c" + "1-" * 3 + "61", "ABCDEFGHIJKLMN-UHFFFAOYSA-N",
     "henhexacontane", "wax c61"),  # 61 heavy atoms
    (11, "C3H6", "C1CC", "C3H6/c1-2-3-1/h1-3H2", "LVZWSLJZHVFIQJ-UHFFFAOYSA-N",
     "cyclopropane", "broken ring"),  # in the pool, but rdkit cannot parse the SMILES
    (12, "O7Tc2", "[O-2].[O-2].[O-2].[O-2].[O-2].[O-2].[O-2].[Tc+7].[Tc+7]", "7O.2Tc/q7*-2;2*+7",
     "XXXXXXXXXXXXXX-UHFFFAOYSA-N", "oxygen(2-);technetium(7+)", "technetium heptoxide"),  # +7
    (13, "C6H6O", "", "C6H6O/c7-6-4-2-1-3-5-6/h1-5,7H", "ISWSIDIOOBJBQZ-UHFFFAOYSA-N",
     "phenol", "no smiles"),
    (14, "C6H6O", "C1=CC=C(C=C1)O", "C6H6O/c7-6-4-2-1-3-5-6/h1-5,7H", "ISWSIDIOOBJBQZ-UHFFFAOYSA-N",
     "phenol", "carbolic acid"),  # kept
]
KEPT = ["acetic acid", "ethyl alcohol", "l-alanine", "broken ring", "technetium heptoxide",
        "carbolic acid"]
LOADABLE = {"acetic acid", "ethyl alcohol", "l-alanine", "carbolic acid"}


@pytest.fixture
def small_tsv(tmp_path):
    path = tmp_path / "pubchem.tsv"
    lines = ["\t".join([str(cid), "0-00-0", formula, "1.0", smiles, inchi, key, iupac, name, "syn"])
             for cid, formula, smiles, inchi, key, iupac, name in ROWS]
    lines.append("15\ttoo\tfew\tcolumns")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_every_filter_on_a_hand_written_file(small_tsv):
    assert [c.name for c in md.candidate_pool(small_tsv)] == KEPT
    drawn = md.load_compounds(4, seed=3, path=small_tsv)
    assert {c.name for c in drawn} == LOADABLE
    assert {c.pubchem_id for c in drawn} == {1, 4, 5, 14}
    with pytest.raises(UserError, match=r"only 4 PubChem compounds.*n_compounds <= 4"):
        md.load_compounds(5, path=small_tsv)


def test_featurizable_rejects_what_from_smiles_cannot_encode():
    assert md._featurizable("CCO")
    assert not md._featurizable("C1CC")  # unclosed ring
    assert not md._featurizable("[Na+]")  # 1 heavy atom
    assert not md._featurizable("C" * 61)
    assert md._featurizable("C" * 60)
    assert not md._featurizable("[O-2].[O-2].[O-2].[O-2].[O-2].[O-2].[O-2].[Tc+7].[Tc+7]")


@pytest.fixture(scope="module")
def drawn():
    return md.load_compounds(300, seed=0)


def test_draw_is_deterministic_and_seeded(drawn):
    assert md.load_compounds(300, seed=0) == drawn
    other = md.load_compounds(300, seed=1)
    assert other != drawn
    assert md.load_compounds(50, seed=0) == drawn[:50]  # smaller draws are prefixes


def test_draw_is_clean(drawn):
    assert len(drawn) == 300
    assert all(isinstance(c, md.Compound) for c in drawn)
    assert len({c.name for c in drawn}) == 300
    assert len({c.inchikey.split("-")[0] for c in drawn}) == 300
    assert len({c.pubchem_id for c in drawn}) == 300
    for c in drawn:
        assert not md.is_registry_code(c.name), c
        assert c.name == c.name.lower() and c.name.strip()
        mol = Chem.MolFromSmiles(c.smiles)
        assert mol is not None, c
        assert md.MIN_HEAVY_ATOMS <= mol.GetNumHeavyAtoms() <= md.MAX_HEAVY_ATOMS, c
        assert len(c.inchikey) == 27 and c.inchikey.count("-") == 2


def test_compound_is_frozen(drawn):
    with pytest.raises(dataclasses.FrozenInstanceError):
        drawn[0].name = "x"


def test_pool_folds_salts_and_stereoisomers_into_the_first_row():
    names = {c.name for c in md.candidate_pool()}
    # In the file: procaine (CID 4914) then its hydrochloride (5795), histamine (774) then its
    # dihydrochloride (5818), dl-alanine (602) then l-alanine (5950) and d-alanine (71080).
    assert {"procaine", "histamine", "dl-alanine"} <= names
    assert not names & {"procaine hydrochloride", "histamine dihydrochloride", "l-alanine", "d-alanine"}
    pool = md.candidate_pool()
    assert [c.pubchem_id for c in pool] == sorted(c.pubchem_id for c in pool)  # file order kept
    assert len({c.inchikey.split("-")[0] for c in pool}) == len(pool)
    assert len({c.name for c in pool}) == len(pool)


def test_nonpositive_count_is_a_user_error():
    # Asking for more than the pool holds is covered on the small file above (the full pool
    # would take ~3 s of rdkit to exhaust).
    with pytest.raises(UserError, match="at least 1"):
        md.load_compounds(0)


def test_featurize_shapes_and_dtypes(drawn):
    graphs = md.featurize(drawn[:20])
    assert len(graphs) == 20
    for c, g in zip(drawn, graphs):
        n_atoms = Chem.MolFromSmiles(c.smiles).GetNumAtoms()
        n_bonds = Chem.MolFromSmiles(c.smiles).GetNumBonds()
        assert g.x.dtype == g.edge_index.dtype == g.edge_attr.dtype == torch.long
        assert g.x.shape == (n_atoms, 9)
        assert g.edge_index.shape == (2, 2 * n_bonds)
        assert g.edge_attr.shape == (2 * n_bonds, 3)
        assert g.edge_index.numel() == 0 or int(g.edge_index.max()) < n_atoms
        assert (g.x >= 0).all() and (g.edge_attr >= 0).all()
