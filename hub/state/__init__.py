"""The state store: runs, checkpoints, identity map, quarantine, audit chain, leases, encrypted kv.

Open one with ``StateStore.open(url, StoreKeys.load(config_dir))``; see :mod:`hub.state.store`.
"""

from hub.state.audit import AuditEvent, AuditVerification
from hub.state.errors import StateLookupError
from hub.state.keys import StoreKeys
from hub.state.quarantine import QuarantineEntry, QuarantineItem
from hub.state.runs import RecordOutcome, RunInfo
from hub.state.store import StateStore

__all__ = [
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
