"""One exception root, split by what the caller should do next.

::

    CrmhubError                      root; ``public_message`` is safe to show, secrets scrubbed
    ├── FatalError                   stop the run; retrying will not help
    │   ├── ConfigError              the configuration is wrong (file, key, expected)
    │   ├── AuthError                credentials rejected or missing
    │   ├── PluginError              a plugin failed to load or registered something invalid
    │   ├── SchemaError              the target's schema does not fit the mapping
    │   ├── LeaseHeldError           another run of the same pipeline holds the lease
    │   └── QuotaExhaustedError      a daily allowance is spent; resume later
    ├── RetriableError               try again later (``retry_after`` seconds when known)
    ├── SkippableError               skip this item (a stream, a page) and go on
    └── DataError                    one record is bad: quarantine it, keep the batch going
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = [
    "AuthError",
    "ConfigError",
    "ConfigProblem",
    "CrmhubError",
    "DataError",
    "FatalError",
    "LeaseHeldError",
    "PluginError",
    "QuotaExhaustedError",
    "RetriableError",
    "SchemaError",
    "SkippableError",
    "register_secret",
    "scrub",
]

_SECRETS: set[str] = set()
_SECRET_PATTERNS = (
    re.compile(r"(?i)(authorization\s*[:=]\s*)(bearer|zoho-oauthtoken|basic)?\s*[^\s,;'\"]+"),
    re.compile(
        r"(?i)((?:access|refresh|session|api)[_-]?(?:token|key)|client[_-]?secret|password|passwd|secret)"
        r"(['\"]?\s*[:=]\s*['\"]?)[^\s,;'\"&]+"
    ),
    re.compile(r"(?i)(://[^/:@\s]+:)[^@/\s]+(@)"),
)


def register_secret(value: str | None) -> None:
    """Remember a secret value so that :func:`scrub` removes it from any text."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def scrub(text: str) -> str:
    """Remove registered secrets and secret-looking ``key=value`` pairs from ``text``."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    text = _SECRET_PATTERNS[0].sub(lambda m: m.group(1) + "***", text)
    text = _SECRET_PATTERNS[1].sub(lambda m: m.group(1) + m.group(2) + "***", text)
    return _SECRET_PATTERNS[2].sub(lambda m: m.group(1) + "***" + m.group(2), text)


class CrmhubError(Exception):
    """Root of every error crmhub raises on purpose.

    ``public_message`` is what a user sees; ``detail`` is for the log. Both are scrubbed.
    """

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        self.public_message = scrub(message)
        self.detail = scrub(detail) if detail else None
        super().__init__(self.public_message)


class FatalError(CrmhubError):
    """The run cannot go on; retrying the same call will fail again."""


class ConfigProblem:
    """One problem in a configuration file: where it is and what was expected."""

    __slots__ = ("expected", "file", "key", "line")

    def __init__(self, file: str, key: str, expected: str, line: int | None = None) -> None:
        self.file = file
        self.key = key
        self.expected = expected
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.expected}"

    def __repr__(self) -> str:
        return f"ConfigProblem({self!s})"


class ConfigError(FatalError):
    """The configuration is wrong; every problem found is listed at once."""

    def __init__(self, problems: Iterable[ConfigProblem] | str) -> None:
        if isinstance(problems, str):
            self.problems: list[ConfigProblem] = []
            super().__init__(problems)
            return
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the configuration:\n{lines}")


class AuthError(FatalError):
    """Credentials are missing, expired beyond refresh, or rejected."""


class PluginError(FatalError):
    """A plugin failed to load, or registered something that breaks the contract."""


class SchemaError(FatalError):
    """The target's schema does not accept what the mapping would write."""


class LeaseHeldError(FatalError):
    """Another run of the same pipeline is in progress."""


class QuotaExhaustedError(FatalError):
    """An API allowance is spent; the run stops cleanly and resumes from its checkpoint later."""

    def __init__(self, message: str, *, resume_after: float | None = None) -> None:
        self.resume_after = resume_after
        super().__init__(message)


class RetriableError(CrmhubError):
    """A transient failure: the same call may succeed later."""

    def __init__(self, message: str, *, retry_after: float | None = None, detail: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, detail=detail)


class SkippableError(CrmhubError):
    """This unit of work (a stream, a page) cannot be processed; the rest can."""


class DataError(CrmhubError):
    """One record is bad. It is quarantined with machine-readable reasons; the batch goes on."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        record_ref: str | None = None,
        context: Mapping[str, str] | None = None,
    ) -> None:
        self.code = code
        self.field = field
        self.record_ref = record_ref
        self.context = dict(context or {})
        where = f"record {record_ref}" if record_ref else "record"
        if field:
            where += f", field {field}"
        super().__init__(f"{where}: {message} [{code}]")
