"""Errors and how they are worded. ``UserError`` is the user's to fix: the CLI prints it as one
line and exits with code 2. ``CellFailure`` and ``describe`` word what a cell's record carries.
No torch here: the leaderboard and the CLI's fast paths import this module."""

from __future__ import annotations

import traceback
from pathlib import Path


class UserError(Exception):
    """Bad input (a name, a value, a file). The message says what is wrong and how to fix it."""


class CellFailure(Exception):
    """A cell-level failure with a reason the record should carry verbatim."""


def describe(exc: Exception) -> str:
    """One line for a record: the exception and where it was raised."""
    if isinstance(exc, CellFailure):
        return str(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
