"""Secret references in the configuration: ``${env:NAME}`` and ``${keyring:SERVICE/NAME}``.

A secret never sits in the configuration file itself: secret fields must hold a reference, which
is resolved when the configuration is loaded and registered with :func:`hub.errors.register_secret`
so that no message or log line can carry it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from hub.errors import register_secret

REFERENCE = re.compile(r"\$\{(env|keyring):([^}]+)\}")


class UnresolvedSecret(LookupError):
    """A reference points at nothing: the variable is unset or the keyring has no such entry."""


def is_reference(value: str) -> bool:
    """True when the whole value is one secret reference."""
    return REFERENCE.fullmatch(value.strip()) is not None


def resolve(value: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace every reference in ``value`` by what it points at."""
    env = os.environ if environ is None else environ

    def lookup(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2).strip()
        if kind == "env":
            if name not in env:
                raise UnresolvedSecret(f"environment variable {name} is not set")
            secret = env[name]
        else:
            service, _, user = name.partition("/")
            if not user:
                raise UnresolvedSecret(f"keyring reference {name!r} must be SERVICE/NAME")
            import keyring  # imported lazily: the OS keyring backend is slow to discover

            found = keyring.get_password(service, user)
            if found is None:
                raise UnresolvedSecret(f"the keyring has no entry {service}/{user}")
            secret = found
        register_secret(secret)
        return secret

    return REFERENCE.sub(lookup, value)
