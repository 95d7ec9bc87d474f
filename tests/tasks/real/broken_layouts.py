"""Helpers of the layout-error tests: a fixture dataset of one's own to break, and the one-line
error a task's check raises."""

import shutil
from pathlib import Path

import pytest

from bench.errors import UserError


def own_copy(data_root: Path, folder: str, into: Path) -> Path:
    """``into`` as a data dir: ``data_root/folder`` copied (to break), the models linked."""
    shutil.copytree(data_root / folder, into / folder)
    (into / "models").symlink_to(data_root / "models")
    return into


def layout_error(task) -> str:
    """The message of the UserError ``task.check`` raises; it must be one line."""
    with pytest.raises(UserError) as caught:
        task.check([])
    message = str(caught.value)
    assert "\n" not in message
    return message
