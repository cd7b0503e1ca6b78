"""Helpers for testing with the Zoho connector outside an engine run."""

from __future__ import annotations


class MemoryKV:
    """The connection key-value store the engine hands a connector, in memory."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)
