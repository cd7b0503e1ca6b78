"""``crmhub consent import FILE``: consent statements from a CSV or JSONL file into the ledger.

One statement per row (CSV, UTF-8 or Windows-1254, delimiter sniffed) or per line (JSONL), with a
``subject`` (e-mail, phone, national id or hub id) and the fields of
:data:`hub.consent.recording.FIELDS`. A bad row is reported by its line and skipped; the rest load.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.connectors.files.formula import restore
from hub.consent.identifiers import parse_subject
from hub.consent.recording import ConsentInputError, parse_statement, record_statement
from hub.errors import FatalError

__all__ = ["ImportReport", "import_file"]


@dataclass(slots=True)
class ImportReport:
    """How many statements were recorded, and why the others were not (by line)."""

    recorded: int = 0
    withdrawals: int = 0
    problems: list[str] = field(default_factory=list)


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1254")  # Turkish Excel exports


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    text = _text(path)
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                yield number, {"__error__": "not a JSON object"}
                continue
            yield number, value if isinstance(value, dict) else {"__error__": "not a JSON object"}
        return
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    for row in reader:
        cleaned = {str(k).strip(): restore(v.strip()) for k, v in row.items() if k is not None and v is not None}
        yield reader.line_num, {k: v for k, v in cleaned.items() if v != ""}


def import_file(hub: Any, path: Path, fmt: str | None = None, source_system: str | None = None) -> ImportReport:
    """Record every valid statement of ``path``; ``source_system`` fills rows that name none."""
    if not path.is_file():
        raise FatalError(f"file not found: {path}")
    fmt = fmt or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv")
    report = ImportReport()
    for number, raw in _rows(path, fmt):
        where = f"{path.name} line {number}"
        if "__error__" in raw:
            report.problems.append(f"{where}: {raw['__error__']}")
            continue
        try:
            subject = raw.pop("subject", None)
            if not subject:
                raise ConsentInputError("subject: required (e-mail, phone, national id or hub id)")
            given = parse_subject(str(subject), raw.pop("subject_type", None) or None)
            if source_system and not raw.get("source_system"):
                raw["source_system"] = source_system
            fields = parse_statement(raw)
        except FatalError as exc:
            report.problems.append(f"{where}: {exc.public_message}")
            continue
        entries = record_statement(hub, given, fields)
        report.recorded += len(entries)
        report.withdrawals += sum(e.status in ("withdrawn", "denied") for e in entries)
    return report
