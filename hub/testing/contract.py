"""The connector contract suite: the tests every connector, ours or a third party's, must pass.

Subclass :class:`ConnectorContract` in a test module and provide a ``harness`` fixture::

    class TestMyConnector(ConnectorContract):
        @pytest.fixture
        def harness(self, my_sandbox):
            return ContractHarness(make=lambda: MyConnector(MyConfig(...), context), stream="Contact",
                                   records=[{"LastName": "Yılmaz", "Email": "a@example.com"}, ...],
                                   secrets=[my_sandbox.token])

``make`` must return a fresh, unopened connector on the same backing system each time, configured to
yield a checkpoint at least every two records where it can (small pages), so resuming is tested.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from hub.connectors.api import Capability, Connector, ConnectorConfig
from hub.errors import CrmhubError, FatalError
from hub.records import CONFLICT, Checkpoint, SourceRecord, WriteOutcome, WriteRequest, fingerprint


@dataclass
class ContractHarness:
    """What the suite needs to exercise one connector."""

    make: Callable[[], Connector]
    stream: str
    records: list[dict[str, Any]]
    """At least three writable records in the system's own field names."""
    change: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """Returns the fields of an update to one record; default: a changed value of its first string field."""
    secrets: list[str] = field(default_factory=list)
    make_unauthorised: Callable[[], Connector] | None = None
    invalid_record: dict[str, Any] | None = None
    """A record the system rejects (an unknown field, a bad value), to check per-record results."""
    key_prefix: str = "contract"
    compare: Callable[[dict[str, Any], dict[str, Any]], bool] | None = None
    """Whether what ``lookup`` returned matches what was written; default: every written field equal."""


@contextmanager
def opened(connector: Connector) -> Iterator[Connector]:
    connector.open()
    try:
        yield connector
    finally:
        connector.close()


def _default_change(fields: dict[str, Any]) -> dict[str, Any]:
    for name, value in fields.items():
        if isinstance(value, str) and "@" not in value:
            return {name: value + " Güncel"}
    raise AssertionError("give the harness a change function: the record has no plain string field")


def _matches(written: dict[str, Any], found: dict[str, Any]) -> bool:
    return all(str(found.get(k)) == str(v) for k, v in written.items())


def _read_all(connector: Connector, stream: str, checkpoint: Checkpoint | None = None
              ) -> tuple[list[SourceRecord], list[tuple[int, Checkpoint]]]:
    records: list[SourceRecord] = []
    checkpoints: list[tuple[int, Checkpoint]] = []
    for item in connector.read(stream, checkpoint):
        if isinstance(item, Checkpoint):
            checkpoints.append((len(records), item))
        else:
            records.append(item)
    return records, checkpoints


class ConnectorContract:
    """Base class of the contract tests; see the module docstring."""

    def _keys(self, harness: ContractHarness, n: int, tag: str) -> list[str]:
        return [f"{harness.key_prefix}-{tag}-{i}" for i in range(n)]

    def _write_fresh(self, harness: ContractHarness, connector: Connector, tag: str) -> list[WriteRequest]:
        keys = self._keys(harness, len(harness.records), tag)
        requests = [WriteRequest(key=k, fields=dict(r)) for k, r in zip(keys, harness.records, strict=True)]
        results = connector.write(harness.stream, requests)
        assert sorted(r.key for r in results) == sorted(keys), "write must return exactly one result per request"
        assert {r.outcome for r in results} == {WriteOutcome.CREATED}, [(r.key, r.outcome, r.message) for r in results]
        return requests

    def test_declares_the_contract(self, harness: ContractHarness) -> None:
        connector = harness.make()
        assert isinstance(type(connector).name, str)
        assert type(connector).name
        assert issubclass(type(connector).config_model, ConnectorConfig)
        assert all(isinstance(c, Capability) for c in connector.capabilities)

    def test_check_succeeds(self, harness: ContractHarness) -> None:
        with opened(harness.make()) as connector:
            result = connector.check()
        assert result.ok, result.problems

    def test_discover_lists_the_stream(self, harness: ContractHarness) -> None:
        with opened(harness.make()) as connector:
            infos = {info.name: info for info in connector.discover()}
        assert harness.stream in infos
        assert infos[harness.stream].fields, "a stream must declare its fields"

    def test_round_trip(self, harness: ContractHarness) -> None:
        with opened(harness.make()) as connector:
            requests = self._write_fresh(harness, connector, "rt")
            if Capability.LOOKUP in connector.capabilities:
                found = connector.lookup(harness.stream, [r.key for r in requests] + ["contract-absent-key"])
                assert "contract-absent-key" not in found
                compare = harness.compare or _matches
                for request in requests:
                    assert request.key in found
                    assert compare(request.fields, found[request.key]), (request.fields, found[request.key])

    def test_rewrite_is_idempotent(self, harness: ContractHarness) -> None:
        with opened(harness.make()) as connector:
            requests = self._write_fresh(harness, connector, "idem")
            again = connector.write(harness.stream, requests)
        assert {r.outcome for r in again} == {WriteOutcome.UNCHANGED}, [(r.key, r.outcome) for r in again]

    def test_update_changes_only_the_given_fields(self, harness: ContractHarness) -> None:
        with opened(harness.make()) as connector:
            requests = self._write_fresh(harness, connector, "upd")
            first = requests[0]
            change = (harness.change or _default_change)(dict(first.fields))
            results = connector.write(harness.stream, [WriteRequest(key=first.key, fields=change)])
            assert [r.outcome for r in results] == [WriteOutcome.UPDATED]
            if Capability.LOOKUP in connector.capabilities:
                found = connector.lookup(harness.stream, [first.key])[first.key]
                compare = harness.compare or _matches
                assert compare({**first.fields, **change}, found), (change, found)

    def _require(self, harness: ContractHarness, capability: Capability, why: str) -> None:
        if capability not in harness.make().capabilities:
            pytest.skip(why)  # a declared capability, not a missing feature

    def test_a_field_given_as_none_is_emptied(self, harness: ContractHarness) -> None:
        self._require(harness, Capability.CLEAR, "no clear capability declared")
        self._require(harness, Capability.LOOKUP, "no lookup: what was emptied cannot be seen")
        with opened(harness.make()) as connector:
            first = self._write_fresh(harness, connector, "empty")[0]
            name = next(iter((harness.change or _default_change)(dict(first.fields))))
            results = connector.write(harness.stream, [WriteRequest(key=first.key, fields={name: None})])
            found = connector.lookup(harness.stream, [first.key])[first.key]
        assert [r.outcome for r in results] == [WriteOutcome.UPDATED]
        assert found.get(name) in (None, ""), "a None value must empty the field (two-way sync and fixes send it)"
        others = {k: v for k, v in first.fields.items() if k != name}
        assert (harness.compare or _matches)(others, found), "emptying a field must leave the others as they were"

    def test_read_resumes_from_a_checkpoint(self, harness: ContractHarness) -> None:
        self._require(harness, Capability.READ, "write-only connector: nothing to resume")
        with opened(harness.make()) as connector:
            self._write_fresh(harness, connector, "resume")
            records, checkpoints = _read_all(connector, harness.stream)
        ids = [r.id for r in records]
        assert len(ids) == len(set(ids)), "a full read must not repeat a record"
        assert checkpoints, "a read must end with a checkpoint"
        position, middle = checkpoints[len(checkpoints) // 2]
        with opened(harness.make()) as connector:
            rest, _ = _read_all(connector, harness.stream, middle)
        assert not {r.id for r in rest} & set(ids[:position]), "resuming repeated records before the checkpoint"
        assert set(ids[position:]) <= {r.id for r in rest}, "resuming lost records after the checkpoint"

    def test_snapshot_holds_what_a_full_read_holds(self, harness: ContractHarness) -> None:
        self._require(harness, Capability.SNAPSHOT, "no snapshot capability declared")
        with opened(harness.make()) as connector:
            self._write_fresh(harness, connector, "snap")
            records, _ = _read_all(connector, harness.stream)
            snapshot = list(connector.snapshot(harness.stream))
        assert all(isinstance(item, SourceRecord) for item in snapshot), "a snapshot yields records only"
        assert sorted(r.id for r in snapshot) == sorted(r.id for r in records), "a snapshot holds every record once"
        by_id = {r.id: r.data for r in records}
        assert all(r.data == by_id[r.id] for r in snapshot), "a snapshot reads the same values as read"

    def test_conditional_write_refuses_a_record_changed_since_it_was_read(self, harness: ContractHarness) -> None:
        self._require(harness, Capability.CONDITIONAL_WRITE, "no conditional_write capability declared")
        change = harness.change or _default_change
        with opened(harness.make()) as connector:
            edited, untouched = self._write_fresh(harness, connector, "cond")[:2]
            seen = connector.lookup(harness.stream, [edited.key, untouched.key])
            theirs = change(dict(edited.fields))
            with opened(harness.make()) as someone_else:  # another user, after the read and before the write
                edit = someone_else.write(harness.stream, [WriteRequest(edited.key, theirs)])
            assert [r.outcome for r in edit] == [WriteOutcome.UPDATED]
            ours = [WriteRequest(r.key, change({**r.fields, **theirs}) if r is edited else change(dict(r.fields)),
                                 expected=fingerprint(seen[r.key])) for r in (edited, untouched)]
            results = {r.key: r for r in connector.write(harness.stream, ours)}
            now = connector.lookup(harness.stream, [edited.key, untouched.key])
        assert (results[edited.key].outcome, results[edited.key].code) == (WriteOutcome.FAILED, CONFLICT)
        assert results[untouched.key].outcome is WriteOutcome.UPDATED, "an unchanged record must be written"
        compare = harness.compare or _matches
        assert compare({**edited.fields, **theirs}, now[edited.key]), "a refused write must change nothing"
        assert compare({**untouched.fields, **ours[1].fields}, now[untouched.key])

    def test_one_result_per_record_when_some_fail(self, harness: ContractHarness) -> None:
        if harness.invalid_record is None:
            pytest.skip("the harness names no record the system rejects")
        with opened(harness.make()) as connector:
            keys = self._keys(harness, 2, "partial")
            batch = [WriteRequest(keys[0], dict(harness.records[0])), WriteRequest(keys[1], harness.invalid_record)]
            results = {r.key: r for r in connector.write(harness.stream, batch)}
        assert set(results) == set(keys)
        assert results[keys[0]].outcome is WriteOutcome.CREATED
        assert results[keys[1]].outcome is WriteOutcome.FAILED
        assert results[keys[1]].code, "a failed record needs a machine-readable code"

    def test_errors_are_classified_and_secrets_never_leak(
        self, harness: ContractHarness, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        texts = []
        connector = harness.make()
        texts += [repr(connector), repr(connector.config), str(connector.config)]
        if harness.make_unauthorised is not None:
            bad = harness.make_unauthorised()
            try:
                with opened(bad) as opened_bad:
                    result = opened_bad.check()
                    assert not result.ok, "wrong credentials must not check as ok"
                    texts += result.problems
            except CrmhubError as exc:
                assert isinstance(exc, FatalError), f"bad credentials must be fatal, got {type(exc).__name__}"  # noqa: PT017
                texts += [str(exc), repr(exc), exc.detail or ""]
        texts += [record.getMessage() for record in caplog.records]
        blob = "\n".join(texts)
        for secret in harness.secrets:
            assert secret not in blob, "a secret leaked into repr, an error or a log line"
