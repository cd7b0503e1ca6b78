"""Errors specific to the state store (the rest come from :mod:`hub.errors`)."""

from __future__ import annotations

from hub.errors import FatalError

__all__ = ["StateLookupError"]


class StateLookupError(FatalError, LookupError):
    """Something asked for by id is not in the store, or an id prefix is ambiguous."""
