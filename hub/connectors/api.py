"""The connector contract: what a plugin implements so the engine can read from and write to a system.

A connector is a class. It declares its ``name``, its ``capabilities`` and a pydantic
``config_model``; the engine builds it with a validated config and a :class:`ConnectorContext`,
and calls a few small methods. The engine, not the connector, owns retries, batching and
checkpoints: a connector raises :mod:`hub.errors` classified by what the engine should do and
returns one :class:`~hub.records.WriteResult` per request.
"""

from __future__ import annotations

import abc
import enum
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from hub.model.fields import FieldSpec
from hub.records import (
    Checkpoint,
    CheckResult,
    DeletedRecord,
    SourceRecord,
    WriteRequest,
    WriteResult,
)


class Capability(enum.StrEnum):
    """What a connector can do. The engine only calls methods whose capability is declared."""

    READ = "read"
    WRITE = "write"
    INCREMENTAL = "incremental"
    DELETE_DETECTION = "delete_detection"
    DELETE = "delete"
    LOOKUP = "lookup"
    MERGE = "merge"
    ERASE = "erase"
    BULK = "bulk"
    SNAPSHOT = "snapshot"
    """``snapshot``: every record in one cheap unordered pass, for whole-system comparisons."""
    CLEAR = "clear"
    """``write`` empties a field given as ``None`` (two-way sync and ``reconcile --fix`` propagate emptied fields)."""
    CONDITIONAL_WRITE = "conditional_write"
    """``write`` honours :attr:`~hub.records.WriteRequest.expected`: a record changed since it was read is refused."""


class ConnectorConfig(BaseModel):
    """Base of every connector's config model. Secrets are ``pydantic.SecretStr`` fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """A stream a connector offers: its fields, key and cursor."""

    name: str
    fields: dict[str, FieldSpec]
    primary_key: str = "id"
    cursor_field: str | None = None
    key_field: str | None = None
    """The field that holds the hub id when this system is a target (its external-id field)."""
    native_name: str | None = None
    """The system's own name for it (``Contact``, ``res.partner``), when it differs."""


@dataclass(slots=True)
class ConnectorContext:
    """What the engine hands a connector: its connection name, a place for files, a logger, a key-value store."""

    connection: str
    work_dir: Path
    logger: logging.Logger | Any = field(default_factory=lambda: logging.getLogger("crmhub.connector"))
    kv: Any = None
    """A small encrypted key-value store in the state store (tokens, sessions); ``None`` outside a run."""
    options: dict[str, Any] = field(default_factory=dict)


class Connector(abc.ABC):
    """Base class of every connector.

    Subclasses set ``name``, ``config_model`` and ``capabilities`` and implement ``check``,
    ``discover`` and, per capability, ``read``, ``write``, ``lookup``, ``deleted``, ``delete``,
    ``merge`` and ``erase``. SDK clients are imported lazily inside methods, so that importing a
    plugin stays cheap.
    """

    name: ClassVar[str]
    config_model: ClassVar[type[ConnectorConfig]]
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    default_mapping: ClassVar[str | None] = None
    """Name of the mapping in ``mappings/`` used when a connection names none (``None``: canonical)."""
    write_batch_size: ClassVar[int] = 500
    """How many write requests the engine hands over in one ``write`` call at most."""

    def __init__(self, config: ConnectorConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context

    def __repr__(self) -> str:
        return f"<{type(self).__name__} connection={self.context.connection!r}>"

    # Lifecycle -------------------------------------------------------------------------------------
    def open(self) -> None:  # noqa: B027 - optional hook
        """Acquire clients and sessions. Called once before any other method in a run."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what ``open`` acquired and flush pending output. Called once at the end."""

    def __enter__(self) -> Connector:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Verbs ------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def check(self) -> CheckResult:
        """Verify that the system is reachable and the credentials work, without changing anything."""

    @abc.abstractmethod
    def discover(self) -> list[StreamInfo]:
        """List the streams this system offers, with their fields and types."""

    def read(self, stream: str, checkpoint: Checkpoint | None) -> Iterator[SourceRecord | Checkpoint]:
        """Yield the stream's records after ``checkpoint`` in a stable order, and checkpoints between them.

        A yielded checkpoint covers every record yielded before it. Requires ``READ``; with
        ``INCREMENTAL``, a checkpoint resumes where it stood.
        """
        raise NotImplementedError(f"{self.name} cannot read")

    def snapshot(self, stream: str) -> Iterator[SourceRecord]:
        """Yield every record the stream holds, in any order and without checkpoints. Requires ``SNAPSHOT``.

        For whole-system comparisons (``crmhub reconcile``), where ``read``'s order and resumable
        pages cost more than they give (an index walk and a query per page instead of one scan).
        A failure part-way cannot resume: the caller reads again from the start.
        """
        raise NotImplementedError(f"{self.name} cannot take a snapshot")

    def write(self, stream: str, batch: Sequence[WriteRequest]) -> list[WriteResult]:
        """Upsert each request by its key; return exactly one result per request, in any order.

        With ``CONDITIONAL_WRITE``, a request carrying ``expected`` is written only if the record's
        current fields (as ``lookup`` would return them) still have that fingerprint, checked and
        written atomically (a row lock, a transaction, a compare-and-set); else it fails with code
        ``conflict`` and changes nothing.
        """
        raise NotImplementedError(f"{self.name} cannot write")

    def lookup(self, stream: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Return the current fields of the records whose key (hub id) is in ``keys``; absent keys are new."""
        raise NotImplementedError(f"{self.name} cannot look records up")

    def deleted(self, stream: str, since: Checkpoint | None) -> Iterator[DeletedRecord | Checkpoint]:
        """Yield records deleted since ``since``. Requires ``DELETE_DETECTION``."""
        raise NotImplementedError(f"{self.name} cannot detect deletes")

    def delete(self, stream: str, keys: Sequence[str]) -> list[WriteResult]:
        """Delete (or archive) the records with these keys. Requires ``DELETE``."""
        raise NotImplementedError(f"{self.name} cannot delete")

    def merge(self, stream: str, survivor_id: str, merged_ids: Sequence[str]) -> WriteResult:
        """Merge records inside the system, keeping ``survivor_id``. Requires ``MERGE``."""
        raise NotImplementedError(f"{self.name} cannot merge")

    def erase(self, stream: str, record_id: str) -> WriteResult:
        """Erase one person with the system's strongest mechanism (GDPR Art. 17). Requires ``ERASE``."""
        raise NotImplementedError(f"{self.name} cannot erase")


class ConnectorRegistry:
    """Connector classes by name, filled by the ``hub_register_connectors`` hook."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Connector]] = {}
        self._origins: dict[str, str] = {}

    def register(self, cls: type[Connector], *, origin: str = "") -> None:
        """Add a connector class; a second class under the same name is an error."""
        from hub.errors import PluginError

        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"connector class {cls.__qualname__} has no name")
        if not (isinstance(cls, type) and issubclass(cls, Connector)):
            raise PluginError(f"{cls!r} is not a Connector subclass")
        if not (isinstance(getattr(cls, "config_model", None), type)
                and issubclass(cls.config_model, ConnectorConfig)):
            raise PluginError(f"connector {name!r} has no config_model (a ConnectorConfig subclass)")
        if name in self._classes and self._classes[name] is not cls:
            raise PluginError(
                f"connector {name!r} is registered twice: by {self._origins[name] or '?'} and by {origin or '?'}"
            )
        self._classes[name] = cls
        self._origins[name] = origin

    def get(self, name: str) -> type[Connector]:
        from hub.errors import ConfigError

        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes)) or "none"
            raise ConfigError(f"unknown connector {name!r} (installed: {known})") from None

    def origin(self, name: str) -> str:
        return self._origins.get(name, "")

    def names(self) -> list[str]:
        return sorted(self._classes)

    def __contains__(self, name: object) -> bool:
        return name in self._classes
