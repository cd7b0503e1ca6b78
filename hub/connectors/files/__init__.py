"""The built-in file connectors: ``csv`` and ``jsonl``."""

from hub.connectors.files.config import CsvConfig, FileConfig, JsonlConfig
from hub.connectors.files.connector import CsvConnector, JsonlConnector
from hub.connectors.files.errors import FileChangedError, FileFormatError
from hub.connectors.files.formula import neutralise, restore

__all__ = [
    "CsvConfig",
    "CsvConnector",
    "FileChangedError",
    "FileConfig",
    "FileFormatError",
    "JsonlConfig",
    "JsonlConnector",
    "neutralise",
    "restore",
]
