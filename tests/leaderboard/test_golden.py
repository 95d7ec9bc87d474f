"""Golden files: the text renderers' whole output for the showcase grid, byte for byte.

After an intended change to a renderer or the table model, regenerate them with
``UPDATE_GOLDEN=1 python -m pytest tests/leaderboard/test_golden.py`` and read the diff.
"""

import os
from pathlib import Path

import pytest

from leaderboard import RENDERERS, build_tables

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"md": "md", "csv": "csv", "json": "json", "latex": "tex"}
DETAIL = {"json", "csv"}  # as the CLI renders them


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_renderer_matches_golden_file(fmt, showcase):
    text = RENDERERS[fmt](build_tables(showcase, detail=fmt in DETAIL))
    path = GOLDEN / f"showcase.{SUFFIX[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
