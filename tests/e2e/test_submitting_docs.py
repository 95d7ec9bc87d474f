"""docs/submitting.md, followed step by step: every ``bash`` block marked ``<!-- run -->`` is run
in order, through the installed console script, in an empty directory, and every block marked
``<!-- file: NAME -->`` is written there first. The method is the one the template writes, so a
method written from the template by following only the docs passes ``check-method``, runs via
``--method-file`` and lands in the leaderboard with its provenance. (The plugin route, whose
``pip install`` would change this environment, is tested in test_example_plugin.py.)"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from bench.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "submitting.md"
BLOCK = re.compile(r"<!-- (run|file: (\S+)) -->\n```\w*\n(.*?)```", re.S)
CLI = Path(sys.executable).parent / "unlearnbench"


def documented_steps() -> list[tuple[str, str, str]]:
    """(kind, file name or '', text) of every marked block, in the page's order."""
    return [("file" if name else "run", name or "", body) for _, name, body in BLOCK.findall(DOC.read_text())]


def test_the_documented_commands_take_a_template_method_to_a_leaderboard_row(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    outputs = []
    for kind, name, body in documented_steps():
        if kind == "file":
            (tmp_path / name).write_text(body)
            continue
        for line in filter(None, map(str.strip, body.splitlines())):
            argv = shlex.split(line)
            assert argv[0] == "unlearnbench", line
            done = subprocess.run([str(CLI), *argv[1:]], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=600)
            assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            outputs.append((line, done.stdout))
    commands = [line.split()[1] for line, _ in outputs]
    assert commands == ["new-method", "check-method", "run", "leaderboard", "export", "import", "leaderboard"]
    check_out = outputs[1][1]
    assert "FAIL" not in check_out and "0 failed" in check_out
    row = re.compile(r"\| my\\?_method +\|")  # a table cell; markdown escapes the underscore
    assert row.search(outputs[3][1]) and row.search(outputs[6][1]), outputs[3][1]
    assert "is not built in: file @" in outputs[3][1]  # the leaderboard shows its provenance

    records = {r.method: r for r in Store(tmp_path / "results", create=False).records()}
    manifest = records["my_method"].manifest
    assert manifest["method_origin"] == "file" and manifest["method_file"].endswith("my_method.py")
    assert manifest["method_source"] and manifest["method_package"] is None
    assert records["retrain"].manifest["method_origin"] == "built-in"
    received = Store(tmp_path / "received", create=False).records()
    assert sorted(r.cell_id for r in received) == sorted(r.cell_id for r in records.values())
