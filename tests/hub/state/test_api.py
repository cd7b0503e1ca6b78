"""The public API of the state store, pinned: the engine and the CLI are written against these signatures."""

from __future__ import annotations

import inspect

import hub.state
from hub.state import StateStore

EXPECTED = {
    "open": "(url: 'str', keys: 'StoreKeys') -> 'StateStore'",
    "close": "(self) -> 'None'",
    "start_run": "(self, pipeline: 'str', source: 'str', target: 'str', streams: 'list[str]', dry_run: 'bool', "
    "fencing_token: 'int') -> 'str'",
    "finish_run": "(self, run_id: 'str', status: 'str', summary: 'dict[str, Any]') -> 'None'",
    "list_runs": "(self, limit: 'int' = 20, pipeline: 'str | None' = None) -> 'list[RunInfo]'",
    "get_run": "(self, run_id: 'str') -> 'RunInfo | None'",
    "find_run": "(self, prefix: 'str') -> 'RunInfo | None'",
    "acquire_lease": "(self, name: 'str', holder: 'str', ttl_s: 'float', "
    "holder_gone: 'Callable[[str], bool] | None' = None) -> 'int'",
    "renew_lease": "(self, name: 'str', token: 'int', ttl_s: 'float') -> 'None'",
    "release_lease": "(self, name: 'str', token: 'int') -> 'None'",
    "get_checkpoint": "(self, pipeline: 'str', stream: 'str') -> 'dict[str, Any] | None'",
    "save_checkpoint": "(self, pipeline: 'str', stream: 'str', checkpoint: 'dict[str, Any]', "
    "fencing_token: 'int') -> 'None'",
    "clear_checkpoints": "(self, pipeline: 'str') -> 'None'",
    "resolve": "(self, connection: 'str', stream: 'str', record_ids: 'Sequence[str]') -> 'dict[str, str]'",
    "hub_links": "(self, hub_ids: 'Sequence[str]', stream: 'str') -> 'dict[str, dict[str, str]]'",
    "find_match_keys": "(self, stream: 'str', key_hmacs: 'Sequence[str]') -> 'dict[str, str]'",
    "stage_identities": "(self, stream: 'str', links: 'Sequence[tuple[str, str, str]]', "
    "match_keys: 'Sequence[tuple[str, str]]') -> 'None'",
    "commit_batch": "(self, run_id: 'str', pipeline: 'str', stream: 'str', outcomes: 'Sequence[RecordOutcome]', "
    "links: 'Sequence[tuple[str, str, str]]', quarantine: 'Sequence[QuarantineItem]', "
    "checkpoint: 'dict[str, Any] | None', fencing_token: 'int') -> 'None'",
    "list_outcomes": "(self, run_id: 'str', outcome: 'str | None' = None, limit: 'int' = 100, offset: 'int' = 0) "
    "-> 'list[RecordOutcome]'",
    "count_outcomes": "(self, run_id: 'str') -> 'dict[str, int]'",
    "list_quarantine": "(self, status: 'str' = 'open', pipeline: 'str | None' = None, limit: 'int' = 100) "
    "-> 'list[QuarantineEntry]'",
    "get_quarantine": "(self, entry_id: 'int') -> 'QuarantineEntry'",
    "set_quarantine_status": "(self, entry_ids: 'Sequence[int]', status: 'str', note: 'str' = '') -> 'None'",
    "purge_quarantine_payloads": "(self, older_than_days: 'int') -> 'int'",
    "audit": "(self, event: 'str', subject: 'str | None', details: 'dict[str, Any]', run_id: 'str | None' = None) "
    "-> 'None'",
    "audit_many": "(self, entries: 'Sequence[AuditEvent]') -> 'None'",
    "verify_audit": "(self) -> 'AuditVerification'",
    "kv_get": "(self, namespace: 'str', key: 'str') -> 'str | None'",
    "kv_set": "(self, namespace: 'str', key: 'str', value: 'str') -> 'None'",
    "kv_delete": "(self, namespace: 'str', key: 'str') -> 'None'",
}


def test_store_methods_have_the_promised_signatures() -> None:
    public = {
        name: str(inspect.signature(member))
        for name, member in inspect.getmembers(StateStore)
        if not name.startswith("_") and callable(member)
    }
    assert public == EXPECTED


def test_package_exports() -> None:
    assert sorted(hub.state.__all__) == [
        "AuditEvent",
        "AuditVerification",
        "QuarantineEntry",
        "QuarantineItem",
        "RecordOutcome",
        "RunInfo",
        "StateLookupError",
        "StateStore",
        "StoreKeys",
    ]


def test_record_types_have_the_promised_fields() -> None:
    def fields(cls: type) -> list[str]:
        return list(inspect.signature(cls).parameters)

    assert fields(hub.state.RecordOutcome) == ["seq", "ref", "source_id", "hub_id", "outcome", "target_id", "detail"]
    assert fields(hub.state.QuarantineItem) == ["ref", "source_id", "connection", "reasons", "payload"]
    assert fields(hub.state.AuditEvent) == ["event", "subject", "details", "run_id"]
    assert fields(hub.state.AuditVerification) == ["ok", "checked", "first_bad_id", "reason"]
    assert fields(hub.state.RunInfo)[:10] == [
        "run_id",
        "pipeline",
        "source",
        "target",
        "streams",
        "dry_run",
        "status",
        "started_at",
        "finished_at",
        "summary",
    ]
