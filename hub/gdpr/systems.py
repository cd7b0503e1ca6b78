"""Acting on one person's record in one connected system: look it up, erase it, tell it of a change.

Each call opens the connection's connector, speaks the system's own stream and field names through
its mapping, retries transient failures with the engine's policy, and answers with an
:class:`Answer` instead of raising: a system that cannot be reached is ``pending`` (tried again
later), one that cannot do what is asked is ``manual`` or ``none``. Messages never carry values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hub.connectors.api import Capability, Connector
from hub.engine.mappings import stream_mapping
from hub.engine.retry import RetryPolicy
from hub.errors import ConfigError, CrmhubError, RetriableError
from hub.records import WriteOutcome, WriteRequest, WriteResult

__all__ = ["Answer", "SystemAccess"]

T = TypeVar("T")


@dataclass(slots=True)
class Answer:
    """What a system did: ``acknowledged``, ``pending`` (unreachable), ``failed``, ``manual`` or ``none``."""

    status: str
    message: str = ""
    mechanism: str = ""
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    """For look-ups: ``{key: {"fields": system fields, "canonical": canonical fields}}``."""


class SystemAccess:
    """The connected systems of one hub session, for data-subject requests."""

    def __init__(self, hub: Any) -> None:
        self.hub = hub
        self.retry = RetryPolicy.from_env()

    def configured(self, connection: str) -> bool:
        """Whether ``connection`` is still in the configuration."""
        return connection in self.hub.config.connections

    def capabilities(self, connection: str) -> frozenset[Capability]:
        """What the connection's connector can do."""
        caps: frozenset[Capability] = self.hub.config.connections[connection].connector_class.capabilities
        return caps

    def _mapping(self, connection: str, stream: str) -> Any:
        conn = self.hub.config.connections[connection]
        return stream_mapping(conn, stream, self.hub.config, self.hub.host.transforms)

    def _call(self, connection: str, action: Callable[[Connector], T]) -> T:
        with self.hub.engine.build(connection) as connector:
            return self.retry.call(lambda: action(connector))

    def _guarded(self, connection: str, mechanism: str, work: Callable[[], Answer]) -> Answer:
        if not self.configured(connection):
            return Answer("failed", f"connection {connection!r} is no longer configured", mechanism)
        try:
            return work()
        except RetriableError as exc:
            return Answer("pending", f"unreachable, will be retried: {exc.public_message}", mechanism)
        except CrmhubError as exc:
            return Answer("pending", f"refused, will be retried: {exc.public_message}", mechanism)
        except Exception as exc:  # a connector bug must not lose the request: keep it pending
            return Answer("pending", f"{type(exc).__name__} while contacting the system, will be retried", mechanism)

    def lookup(self, connection: str, stream: str, keys: Sequence[str]) -> Answer:
        """The person's records in the system, by hub id and by the system's own record ids."""
        if Capability.LOOKUP not in self.capabilities(connection):
            return Answer("none", "the connector cannot look records up", "lookup")
        try:
            mapping = self._mapping(connection, stream)
        except ConfigError:
            return Answer("none", f"the connection's mapping has no {stream} stream", "lookup")

        def work() -> Answer:
            found = self._call(connection, lambda c: c.lookup(mapping.object, list(dict.fromkeys(keys))))
            records = {}
            for key, fields in found.items():
                canonical, _ = mapping.to_canonical(fields)
                records[key] = {"fields": fields, "canonical": canonical}
            return Answer("acknowledged", f"{len(records)} record(s) found", "lookup", records)

        return self._guarded(connection, "lookup", work)

    def mechanism(self, connection: str) -> str:
        """The strongest way the connection can erase: ``erase``, ``delete`` or ``manual``."""
        caps = self.capabilities(connection)
        return "erase" if Capability.ERASE in caps else "delete" if Capability.DELETE in caps else "manual"

    def erase(self, connection: str, stream: str, record_ids: Sequence[str], hub_ids: Sequence[str]) -> Answer:
        """Erase with the strongest mechanism the connector has: ``erase``, else ``delete``, else by hand."""
        mechanism = self.mechanism(connection)
        if mechanism == "erase":
            return self._guarded(connection, "erase", lambda: self._erase(connection, stream, record_ids))
        if mechanism == "delete":
            keys = list(dict.fromkeys([*record_ids, *hub_ids]))
            return self._guarded(connection, "delete", lambda: self._delete(connection, stream, keys))
        return Answer("manual", "the connector can neither erase nor delete: remove the record in the system by "
                                "hand, then run `crmhub gdpr confirm`", "manual")

    def _erase(self, connection: str, stream: str, record_ids: Sequence[str]) -> Answer:
        mapping = self._mapping(connection, stream)
        results = [self._call(connection, lambda c, r=record_id: c.erase(mapping.object, r))  # type: ignore[misc]
                   for record_id in record_ids]
        return _settled(results, "erase")

    def _delete(self, connection: str, stream: str, keys: list[str]) -> Answer:
        mapping = self._mapping(connection, stream)
        return _settled(self._call(connection, lambda c: c.delete(mapping.object, keys)), "delete")

    def tell(self, connection: str, stream: str, hub_id: str, record_id: str | None,
             canonical: dict[str, Any]) -> Answer:
        """Write ``canonical`` fields (a withdrawal, a restriction flag) to the person's record there."""
        if Capability.WRITE not in self.capabilities(connection):
            return Answer("none", "the connector cannot write", "write")

        def work() -> Answer:
            mapping = self._mapping(connection, stream)
            fields = mapping.from_canonical(canonical)
            if not fields:
                return Answer("none", "the system's mapping has no field for this", "write")
            request = WriteRequest(key=hub_id, fields=fields, target_id=record_id)
            results = self._call(connection, lambda c: c.write(mapping.object, [request]))
            return _settled(results, "write")

        return self._guarded(connection, "write", work)


def _settled(results: Sequence[WriteResult], mechanism: str) -> Answer:
    failed = [r for r in results if r.outcome is WriteOutcome.FAILED]
    if not failed:
        done = sum(r.outcome is not WriteOutcome.UNCHANGED for r in results)
        return Answer("acknowledged", f"{done} record(s) changed, {len(results) - done} already so", mechanism)
    codes = ", ".join(sorted({r.code or "failed" for r in failed}))
    if any(r.retriable for r in failed):
        return Answer("pending", f"the system failed ({codes}), will be retried", mechanism)
    return Answer("failed", f"the system refused ({codes})", mechanism)
