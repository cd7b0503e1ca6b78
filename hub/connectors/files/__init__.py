"""The built-in file connectors: ``csv`` and ``jsonl``. One file is one stream, readable and writable.

Configuration (:class:`CsvConfig`, :class:`JsonlConfig`; unknown keys are refused)::

    legacy:
      connector: csv
      path: customers.csv        # relative to the config file's folder
      encoding: auto             # UTF-8 (BOM or not), cp1254, ISO-8859-9 detected; or a codec name
      delimiter: auto            # , ; tab | sniffed from the header and first lines (csv only)
      stream: contacts           # the stream this file provides
      id_column: id              # without it in the file, ids are line:N (unstable across edits)
      updated_at_column: null    # ISO 8601 last-modified column, parsed to SourceRecord.updated_at
      max_field_bytes: 1048576   # a larger cell makes its row a field_too_large record
      checkpoint_every: 1000     # records between checkpoints
      bom: false                 # write a UTF-8 BOM (for Excel)

Reading: :mod:`~hub.connectors.files.csvsource`, :mod:`~hub.connectors.files.jsonlsource`;
checkpoints and resume: :mod:`~hub.connectors.files.position`; writing and compaction:
:mod:`~hub.connectors.files.store`, :mod:`~hub.connectors.files.csvformat`,
:mod:`~hub.connectors.files.jsonlformat`; the CSV formula-escaping rule:
:mod:`~hub.connectors.files.formula`.
"""

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
