"""Errors of the file connector, each a :class:`~hub.errors.FatalError`: the run cannot go on with this file."""

from __future__ import annotations

from hub.errors import FatalError


class FileFormatError(FatalError):
    """The file cannot be read as a table at all: repeated headers, UTF-16, unsupported line endings."""


class FileChangedError(FatalError):
    """The file is not the one a checkpoint was taken on: it shrank or its already-read part changed."""
