"""What the sources and the ledger say about one person's consent, merged so the most restrictive wins.

A record read from a source states consent per channel (``consent.email`` …) with its proof
(``consent.captured_at``, ``consent.source``, ``consent.notice_version`` …). :func:`entries_from_record`
turns that into ledger entries; :func:`effective_channels` merges the newest statement of every
system: an unsubscribe anywhere beats a subscription anywhere, unless the subscription is newer
*and* provable — fresh evidence is the only way back in (GDPR Art. 7(3), İYS, HubSpot's own rule).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hub.state.consent_ledger import ConsentEntry

__all__ = [
    "CHANNELS",
    "RESTRICTIVE",
    "ChannelState",
    "as_date",
    "as_datetime",
    "consented_purposes",
    "effective_channels",
    "entries_from_record",
]

CHANNELS = ("email", "sms", "phone", "post")
RESTRICTIVE = frozenset({"denied", "withdrawn", "expired"})
CHANNEL_PURPOSE = "marketing"
"""Channel opt-ins are permissions to send commercial messages: recorded under this purpose."""
_STATED = frozenset({"granted", "denied", "withdrawn", "pending", "expired"})


def as_datetime(value: Any) -> dt.datetime | None:
    """A timezone-aware datetime from a canonical value (a date counts from its midnight, UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def as_date(value: Any) -> dt.date | None:
    """A calendar date from a canonical value."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    moment = as_datetime(value)
    return moment.date() if moment else None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def entries_from_record(record: dict[str, Any], subject_id: str, identifier_hmacs: tuple[str, ...],
                        source_system: str | None, run_id: str | None = None) -> list[ConsentEntry]:
    """One ledger entry per channel the record states (``unknown`` and empty say nothing)."""
    entries = []
    captured = as_datetime(record.get("consent.captured_at"))
    retention = as_datetime(record.get("consent.retention_until"))
    for channel in CHANNELS:
        status = record.get(f"consent.{channel}")
        if status is None or str(status) not in _STATED:
            continue
        status = str(status)
        entries.append(ConsentEntry(
            subject_id=subject_id, channel=channel, purpose=CHANNEL_PURPOSE, status=status,
            identifier_hmacs=identifier_hmacs, legal_basis="consent",  # an opt-in is a consent by nature
            jurisdiction=_text(record.get("consent.jurisdiction")), captured_at=captured,
            double_optin_at=as_datetime(record.get("consent.double_optin_at")) if channel == "email" else None,
            capture_method=_text(record.get("consent.capture_method")), source_system=source_system,
            collection_point=_text(record.get("consent.source")),
            notice_version=_text(record.get("consent.notice_version")),
            iys_status=_text(record.get("consent.iys_status")),
            withdrawn_at=captured if status == "withdrawn" else None, retention_until=retention, run_id=run_id,
        ))
    return entries


@dataclass(slots=True)
class ChannelState:
    """The effective answer for one channel across every system, and whether it can be proven."""

    status: str | None = None
    provable: bool = False
    double_optin: bool = False
    systems: tuple[str, ...] = ()
    """The systems whose statement decided (the restrictive ones when a refusal won)."""


def _when(entry: ConsentEntry) -> dt.datetime:
    return entry.captured_at or entry.withdrawn_at or entry.recorded_at or dt.datetime.min.replace(tzinfo=dt.UTC)


def _in_force(entry: ConsentEntry, now: dt.datetime) -> ConsentEntry | None:
    if entry.effective_from and entry.effective_from > now:
        return None
    if entry.status == "granted" and entry.effective_to and entry.effective_to <= now:
        return dataclasses.replace(entry, status="expired")
    return entry


def effective_channels(current: Iterable[ConsentEntry], history: Sequence[ConsentEntry],
                       now: dt.datetime) -> dict[str, ChannelState]:
    """Merge the newest statement per (channel, system): ``current`` (this read) replaces its system's last."""
    if not history:  # the common case on a first run: only this read speaks, one statement per channel
        merged = {}
        for entry in current:
            in_force = _in_force(entry, now)
            if in_force is not None:
                merged[entry.channel] = _merge([in_force])
        return merged
    newest: dict[tuple[str, str], ConsentEntry] = {}
    for entry in history:
        if entry.purpose not in (CHANNEL_PURPOSE, "*"):
            continue
        if entry.channel in CHANNELS:
            newest[(entry.channel, entry.source_system or entry.consent_id)] = entry  # oldest first: last wins
        elif entry.channel == "any":
            # A statement about marketing on no channel in particular: its refusal is a refusal on every one.
            source = f"{entry.source_system or entry.consent_id} (any channel)"
            for channel in CHANNELS:
                if entry.status in RESTRICTIVE:
                    newest[(channel, source)] = entry
                else:
                    newest.pop((channel, source), None)
    for entry in current:
        newest[(entry.channel, entry.source_system or entry.consent_id)] = entry
    by_channel: dict[str, list[ConsentEntry]] = {}
    for (channel, _), entry in newest.items():
        in_force = _in_force(entry, now)
        if in_force is not None:
            by_channel.setdefault(channel, []).append(in_force)
    return {channel: _merge(entries) for channel, entries in by_channel.items()}


def _merge(entries: list[ConsentEntry]) -> ChannelState:
    refusals = [e for e in entries if e.status in RESTRICTIVE]
    grants = [e for e in entries if e.status == "granted"]
    if refusals:
        latest_refusal = max(refusals, key=_when)
        fresh = [g for g in grants if g.provable and g.captured_at and g.captured_at > _when(latest_refusal)]
        if not fresh:
            refusing = tuple(sorted({e.source_system or "?" for e in refusals}))
            return ChannelState(latest_refusal.status, systems=refusing)
        grants = fresh
    if grants:
        return ChannelState("granted", provable=any(g.provable for g in grants),
                            double_optin=any(g.double_optin_at for g in grants),
                            systems=tuple(sorted({g.source_system or "?" for g in grants})))
    return ChannelState(entries[-1].status if entries else None)


def consented_purposes(history: Iterable[ConsentEntry], now: dt.datetime, require_proof: bool) -> frozenset[str]:
    """Purposes with a consent to the processing itself (channel ``any``) in force across every system."""
    newest: dict[tuple[str, str], ConsentEntry] = {}
    for entry in history:
        if entry.channel == "any" and entry.purpose != "*":
            newest[(entry.purpose, entry.source_system or entry.consent_id)] = entry
    by_purpose: dict[str, list[ConsentEntry]] = {}
    for (purpose, _), entry in newest.items():
        in_force = _in_force(entry, now)
        if in_force is not None:
            by_purpose.setdefault(purpose, []).append(in_force)
    granted = set()
    for purpose, entries in by_purpose.items():
        state = _merge(entries)
        if state.status == "granted" and (state.provable or not require_proof):
            granted.add(purpose)
    return frozenset(granted)
