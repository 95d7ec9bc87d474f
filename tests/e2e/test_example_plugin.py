"""The example plugin package, installed into a throwaway target directory (offline: no build
isolation, no dependencies) and put on PYTHONPATH: its entry point registers the method, which
``list`` shows as a plugin, ``check-method`` passes, and ``run`` benchmarks with the plugin's
provenance in every record."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bench.registry import TASKS
from bench.store import Store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "unlearnbench-example-plugin"
CLI = Path(sys.executable).parent / "unlearnbench"


def test_installed_example_plugin_is_listed_checked_and_run_with_its_provenance(tmp_path):
    source = shutil.copytree(EXAMPLE, tmp_path / "src")  # keeps build files out of the repository
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--target", str(target), str(source)], check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "OMP_NUM_THREADS": "1"}

    def cli(*argv: str) -> str:
        done = subprocess.run([str(CLI), *argv], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"{argv}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        return done.stdout

    listed = [line for line in cli("list", "methods").splitlines() if line.startswith("example_sign_flip ")]
    assert listed and "plugin unlearnbench-example-plugin 0.1.0" in listed[0] and "Sign-flipped" in listed[0]

    checked = cli("check-method", "example_sign_flip", "--tasks", "emoji_retrieval")
    assert "0 failed" in checked and "(plugin: unlearnbench-example-plugin 0.1.0)" in checked

    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({
        "tasks": {"emoji_retrieval": dict(TASKS.get("emoji_retrieval").smoke_params)},
        "methods": ["example_sign_flip"], "forget": {"fraction": 0.2}, "seeds": [0], "budget_s": 120}))
    cli("run", "--suite", str(suite), "--results", str(tmp_path / "results"))
    record = next(r for r in Store(tmp_path / "results", create=False).records() if r.method == "example_sign_flip")
    assert record.status == "ok", record.error
    assert record.manifest["method_origin"] == "plugin"
    assert record.manifest["method_package"] == "unlearnbench-example-plugin 0.1.0"
    assert record.manifest["method_source"]
