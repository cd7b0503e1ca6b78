"""Structured logging that never carries a secret or raw personal data.

Every event passes through :func:`redact`: registered secrets and secret-looking ``key=value`` pairs
are scrubbed from all text, values of personal-data keys (e-mail, phone, national id, names) are
replaced by ``<redacted>``, and line breaks are removed so a value cannot forge a log line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from hub.errors import scrub

PII_KEYS = frozenset({
    "email", "phone", "mobile", "national_id", "national_id.value", "tax_id", "first_name", "last_name",
    "birth_date", "address", "street", "name",
})
SECRET_KEYS = frozenset({"authorization", "token", "access_token", "refresh_token", "client_secret", "password",
                         "secret", "api_key", "session_id"})


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value).replace("\r", " ").replace("\n", " ")
    return value


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: scrub secrets and personal data from every field of an event."""
    for key in list(event):
        lowered = key.lower()
        if lowered in SECRET_KEYS or lowered.endswith(("_token", "_secret", "password")):
            event[key] = "***"
        elif lowered in PII_KEYS:
            event[key] = "<redacted>"
        else:
            event[key] = _clean(event[key])
    return event


class _ScrubbingFilter(logging.Filter):
    """Applies the same scrubbing to records from the standard ``logging`` module (SDKs log there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed library log call must not break the run
            return True
        record.msg, record.args = _clean(message), None
        return True


def configure_logging(level: str = "WARNING") -> None:
    """Route ``logging`` and structlog through one redacting pipeline to stderr."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    handler = logging.StreamHandler()
    handler.addFilter(_ScrubbingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso"), redact, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    """A structlog logger bound to ``name``."""
    return structlog.get_logger(name)
