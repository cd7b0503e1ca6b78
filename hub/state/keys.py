"""The state store's secrets: an encryption key for payloads and tokens, an HMAC key for pseudonyms.

Neither key is ever written to the database. Each comes from an environment variable when set
(``CRMHUB_SECRET_KEY``, ``CRMHUB_HMAC_KEY``) or else from a file under ``<config_dir>/.crmhub/``
that is generated once with mode 0600. A key file that group or others may read is refused:
whoever can read it can read every quarantined record.

An environment value that is a valid Fernet key is used as is; any other string is stretched
with HKDF-SHA256, so a passphrase from a secret manager works too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import os
import secrets
import stat
import unicodedata
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.errors import FatalError, register_secret

__all__ = ["HMAC_KEY_ENV", "SECRET_KEY_ENV", "StoreKeys"]

SECRET_KEY_ENV = "CRMHUB_SECRET_KEY"  # noqa: S105 - the name of a variable, not its value
HMAC_KEY_ENV = "CRMHUB_HMAC_KEY"
_KEY_DIR = ".crmhub"
_SECRET_FILE = "secret.key"  # noqa: S105 - a file name
_HMAC_FILE = "hmac.key"
# Distinct HKDF labels keep the two keys independent even when both come from the same passphrase.
_ENCRYPTION_INFO = b"crmhub state-store encryption v1"
_HMAC_INFO = b"crmhub pseudonym hmac v1"
_PSEUDONYM_BYTES = 16
"""A pseudonym keeps the first 16 bytes (32 hex characters) of the HMAC-SHA256."""

KeySource = Literal["env", "file", "ephemeral"]


def _derive(material: str, info: bytes) -> bytes:
    """Stretch an arbitrary string into 32 key bytes (HKDF-SHA256, fixed salt: the input is the secret)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"crmhub", info=info)
    return hkdf.derive(material.encode("utf-8"))


def _as_fernet_key(material: str) -> bytes:
    """``material`` itself when it is a Fernet key, else a Fernet key derived from it."""
    candidate = material.strip().encode("ascii", "ignore")
    try:
        if len(base64.urlsafe_b64decode(candidate)) == 32 and len(candidate) == 44:
            return candidate
    except (binascii.Error, ValueError):
        pass
    return base64.urlsafe_b64encode(_derive(material, _ENCRYPTION_INFO))


def _check_private(path: Path) -> None:
    """Refuse a key file that anyone but its owner can read or write."""
    if os.name == "nt":  # POSIX mode bits mean nothing there; NTFS ACLs are the user's business
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise FatalError(
            f"key file {path} is accessible to group or others (mode {mode:04o}); "
            f"anyone who can read it can decrypt the state store. Run: chmod 600 {path}"
        )


def _read_or_create(path: Path, make: bytes) -> str:
    """Return the key stored at ``path``, creating it with ``make`` (mode 0600) when absent.

    Creation goes through a private temporary file and ``os.link`` so that two processes starting
    at once agree on one key: the loser of the race reads the winner's complete file.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(make + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process won the race; read its key
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    _check_private(path)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise FatalError(f"key file {path} is empty; restore it from a backup (a new key cannot read old data)")
    return value


class StoreKeys:
    """The encryption and HMAC keys of one installation. ``repr`` shows where they came from, never them."""

    __slots__ = ("_fernet", "_hmac_key", "_sources")

    def __init__(self, fernet_key: bytes, hmac_key: bytes, sources: tuple[KeySource, KeySource]) -> None:
        self._fernet = Fernet(fernet_key)
        self._hmac_key = hmac_key
        self._sources = sources
        register_secret(fernet_key.decode("ascii"))

    @classmethod
    def load(cls, config_dir: Path) -> StoreKeys:
        """Keys from the environment, else from ``<config_dir>/.crmhub/{secret,hmac}.key`` (created once, 0600)."""
        key_dir = Path(config_dir) / _KEY_DIR
        env_secret = os.environ.get(SECRET_KEY_ENV, "")
        env_hmac = os.environ.get(HMAC_KEY_ENV, "")
        if env_secret:
            register_secret(env_secret)
            fernet_key, secret_source = _as_fernet_key(env_secret), "env"
        else:
            stored = _read_or_create(key_dir / _SECRET_FILE, Fernet.generate_key())
            fernet_key, secret_source = _as_fernet_key(stored), "file"
        if env_hmac:
            register_secret(env_hmac)
            hmac_material, hmac_source = env_hmac, "env"
        else:
            hmac_material = _read_or_create(key_dir / _HMAC_FILE, secrets.token_hex(32).encode("ascii"))
            hmac_source = "file"
        register_secret(hmac_material)
        hmac_key = _derive(hmac_material, _HMAC_INFO)
        return cls(fernet_key, hmac_key, (secret_source, hmac_source))  # type: ignore[arg-type]

    @classmethod
    def ephemeral(cls) -> StoreKeys:
        """Fresh random keys held only in memory: for tests and throw-away stores."""
        return cls(Fernet.generate_key(), secrets.token_bytes(32), ("ephemeral", "ephemeral"))

    def encrypt(self, plaintext: bytes) -> bytes:
        """Authenticated encryption (Fernet: AES-128-CBC + HMAC-SHA256, random IV)."""
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        """Reverse :meth:`encrypt`; a wrong key or tampered data is a :class:`FatalError`."""
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken:
            raise FatalError(
                f"cannot decrypt data in the state store: it was encrypted with another key "
                f"(check {SECRET_KEY_ENV} or .crmhub/{_SECRET_FILE}) or it was altered"
            ) from None

    def pseudonym(self, kind: str, value: str) -> str:
        """A stable keyed pseudonym of ``value``: HMAC-SHA256 of ``kind:normalised value``, 32 hex chars.

        Normalisation is deliberately light (Unicode NFKC, trimmed, inner whitespace collapsed,
        case folded, Turkish ``İ``/``ı`` folded to ``i``): callers pass values already put in their
        canonical form (E.164 phones, validated emails, digits-only national ids).
        """
        message = f"{kind}:{normalise_for_pseudonym(value)}".encode()
        return hmac.digest(self._hmac_key, message, "sha256")[:_PSEUDONYM_BYTES].hex()

    @property
    def reloadable(self) -> bool:
        """Whether another process of this installation loads the same keys (environment or key files)."""
        return "ephemeral" not in self._sources

    def __repr__(self) -> str:
        return f"StoreKeys(encryption={self._sources[0]}, hmac={self._sources[1]})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("StoreKeys cannot be pickled: key material must not leave the process")


def normalise_for_pseudonym(value: str) -> str:
    """The form of ``value`` that :meth:`StoreKeys.pseudonym` hashes."""
    if value.isascii():  # NFKC and the Turkish folds change nothing in ASCII; lower() is casefold() there
        return " ".join(value.split()).lower()
    # Turkish I/ı/İ/i case-fold differently by locale; folding all four to "i" makes the result locale-free.
    text = unicodedata.normalize("NFKC", value).replace("İ", "i").replace("ı", "i")
    return " ".join(text.split()).casefold()
