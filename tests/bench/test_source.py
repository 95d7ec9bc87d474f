"""``bench.source``: the code hash follows the project's own modules, and only them."""

import json
import subprocess
import sys

from bench.source import code_hash, module_closure
from tasks.emoji_retrieval import EmojiRetrieval


def test_the_closure_follows_project_imports_and_reexports_but_not_plumbing_or_third_parties():
    modules = dict(module_closure("tasks.emoji_retrieval"))
    # direct (tasks.pair_retrieval), transitive (tasks.training via tasks.pair_task) and helpers
    assert {"tasks.emoji_retrieval", "tasks.pair_retrieval", "tasks.training", "bench.seeding"} <= modules.keys()
    assert not {"bench", "bench.registry", "bench.errors"} & modules.keys()  # plumbing
    assert all(name.split(".")[0] in ("bench", "methods", "tasks", "attacks") for name in modules)
    assert all(len(digest) == 64 for digest in modules.values())


def test_hashing_imports_no_third_party_package_the_task_does_not():
    """``from transformers import AutoModel`` inside a function of tasks.text_features used to be
    resolved, which imported transformers (~0.7 s) in every process that hashed a task."""
    probe = ("import json, sys; from tasks.emoji_retrieval import EmojiRetrieval; before = set(sys.modules); "
             "from bench.source import code_hash; print(code_hash(EmojiRetrieval)); "
             "print(json.dumps(sorted(m.split('.')[0] for m in set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    digest, new = out.stdout.strip().splitlines()[-2:]
    assert digest == code_hash(EmojiRetrieval)
    assert set(json.loads(new)) <= {"bench", "tasks", "methods", "attacks", "ast", "_ast"}
