"""E-mail syntax with ``email-validator`` (no DNS), plus a fast path for plain addresses.

``email-validator`` costs ~40 µs an address, too much for 20,000 records a second. Plain
addresses (a dot-atom local part of ASCII characters or letters of any script, an ASCII host
name) are accepted by a precompiled pattern that is a strict subset of what the library accepts,
with the same normal form (domain in lower case, local part kept); a property test holds the two
to agreement. Anything else (IDN, quoting, odd
characters, errors) goes to the library, whose answers are cached.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import email_validator

from hub.records import Issue

__all__ = ["EmailProblem", "check_email", "normalise_email"]

# A local-part character: ASCII atext, or a letter of any script (RFC 6531 allows these; ayşe@…)
_ATEXT = r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\W\d_])"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN = re.compile(rf"({_ATEXT}+(?:\.{_ATEXT}+)*)@((?:{_LABEL}\.)+[A-Za-z]{{2,63}})")
_SPECIAL_USE = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)


class EmailProblem(ValueError):
    """Why a text is not an e-mail address; the message never contains the address."""


def normalise_email(text: str) -> str:
    """The normal form of an address (domain lower-cased, IDN kept); :class:`EmailProblem` when invalid."""
    match = _PLAIN.fullmatch(text)
    if match is not None and "--" not in match[2] and _short_and_normal(text, match[1]):
        domain = match[2].lower()
        if domain.rpartition(".")[2] not in _SPECIAL_USE:
            return f"{match[1]}@{domain}"
    normal, problem = _validate(text)
    if normal is None:
        raise EmailProblem(problem)
    return normal


def _short_and_normal(text: str, local: str) -> bool:
    if text.isascii():
        return len(text) <= 254 and len(local) <= 64
    return (
        len(text.encode()) <= 254
        and len(local.encode()) <= 64
        and unicodedata.is_normalized("NFC", local)
    )


@functools.lru_cache(maxsize=16384)
def _validate(text: str) -> tuple[str | None, str]:
    """``(normal form, "")`` or ``(None, problem)``; failures are cached too, as junk repeats."""
    try:
        result = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        return None, _problem(text, str(exc))
    return result.normalized, ""


def _problem(text: str, library_message: str) -> str:
    """A reason that does not quote the address (the library's messages sometimes quote parts of it)."""
    if "@" not in text:
        return "missing @"
    if text.count("@") > 1 and '"' not in text:
        return "more than one @"
    local, _, domain = text.rpartition("@")
    if not local:
        return "nothing before the @"
    if not domain:
        return "nothing after the @"
    if "period" in library_message and "." not in domain:
        return "the domain has no dot"
    if "special-use" in library_message or "reserved" in library_message:
        return "the domain is a reserved name"
    if "too long" in library_message:
        return "too long"
    if "after the @" in library_message or "domain" in library_message.lower():
        return "the domain is not valid"
    return "the part before the @ is not valid"


def check_email(record: dict[str, Any], stream: str) -> list[Issue]:
    """Normalise ``email`` in place; ``email_invalid`` naming what is wrong, never the address."""
    value = record.get("email")
    if value is None or value == "":
        return []
    try:
        normal = normalise_email(value if isinstance(value, str) else str(value))
    except EmailProblem as exc:
        return [Issue("email", "email_invalid", f"not an e-mail address: {exc}")]
    if normal != value:
        record["email"] = normal
    return []
