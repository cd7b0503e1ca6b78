"""What flows through a run: source records, checkpoints, write requests and their results, issues."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    """How a record read in a run ended. Every record ends as exactly one of these."""

    CREATED = "created"
    UPDATED = "updated"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    QUARANTINED = "quarantined"
    SUPPRESSED = "suppressed"
    DELETED = "deleted"


class WriteOutcome(enum.StrEnum):
    """What a target did with one write request."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    FAILED = "failed"


@dataclass(slots=True)
class SourceRecord:
    """One record as a system holds it, in that system's field names.

    ``ref`` locates it for a human (``customers.csv line 17``, ``Contact 003…``); ``error`` is set
    when the record could not even be parsed, and sends it straight to the quarantine.
    """

    id: str
    data: dict[str, Any]
    ref: str
    updated_at: dt.datetime | None = None
    deleted: bool = False
    error: Issue | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A resumable position in a stream. ``cursor`` must be JSON-serialisable."""

    stream: str
    cursor: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one field of one record: a machine-readable ``code`` and a human message."""

    field: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(slots=True)
class WriteRequest:
    """Create or update one record in a target.

    ``key`` is the hub id: the idempotency key the target stores in its external-id field, so that
    writing the same request twice never makes two records. ``fields`` are in the target's own
    names and hold only values to set: an absent field is left as it is in the target.
    ``target_id`` is the target's own id when the identity map knows it.
    """

    key: str
    fields: dict[str, Any]
    target_id: str | None = None
    expected: str | None = None
    """With the ``conditional_write`` capability: the :func:`fingerprint` of the record as ``lookup`` returned it
    when the hub decided this write. The target writes only if the record still has that fingerprint,
    checked atomically with the write; otherwise the result is ``failed`` with code :data:`CONFLICT`."""


CONFLICT = "conflict"
"""Result code of a conditional write refused because the record changed (or went) since it was read."""


def fingerprint(fields: Mapping[str, Any]) -> str:
    """A digest of a record's fields as a connector's ``lookup`` returns them, for :attr:`WriteRequest.expected`.

    Names are sorted and values written with ``str`` where JSON has no form, so two reads of an
    unchanged record give the same fingerprint and any changed value a different one.
    """
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(slots=True)
class WriteResult:
    """What the target did with one :class:`WriteRequest`, matched by ``key``."""

    key: str
    outcome: WriteOutcome
    target_id: str | None = None
    code: str | None = None
    message: str | None = None
    retriable: bool = False


@dataclass(frozen=True, slots=True)
class DeletedRecord:
    """A record the source no longer holds (tombstone), with when it went."""

    id: str
    deleted_at: dt.datetime | None = None


@dataclass(slots=True)
class CheckResult:
    """Outcome of ``Connector.check()``: ``ok`` and, when not, every problem found."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
