"""StoreKeys: key files created private and reused, loose files refused, environment keys, pseudonyms."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hub.errors import FatalError, scrub
from hub.state import StoreKeys
from hub.state.keys import HMAC_KEY_ENV, SECRET_KEY_ENV


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    monkeypatch.delenv(HMAC_KEY_ENV, raising=False)


def test_key_files_are_created_private_and_reused(tmp_path: Path) -> None:
    first = StoreKeys.load(tmp_path)
    for name in ("secret.key", "hmac.key"):
        mode = stat.S_IMODE((tmp_path / ".crmhub" / name).stat().st_mode)
        assert mode == 0o600, f"{name} has mode {mode:o}"
    assert stat.S_IMODE((tmp_path / ".crmhub").stat().st_mode) == 0o700

    second = StoreKeys.load(tmp_path)
    token = first.encrypt(b"Ay\xc5\x9fe Y\xc4\xb1lmaz")
    assert second.decrypt(token) == "Ayşe Yılmaz".encode()
    assert first.pseudonym("email", "ayse@example.com.tr") == second.pseudonym("email", "ayse@example.com.tr")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    StoreKeys.load(tmp_path)
    key_file = tmp_path / ".crmhub" / "secret.key"
    os.chmod(key_file, mode)
    with pytest.raises(FatalError, match=r"secret\.key is accessible to group or others .*chmod 600"):
        StoreKeys.load(tmp_path)


def test_group_readable_hmac_key_is_refused(tmp_path: Path) -> None:
    StoreKeys.load(tmp_path)
    os.chmod(tmp_path / ".crmhub" / "hmac.key", 0o640)
    with pytest.raises(FatalError, match=r"hmac\.key"):
        StoreKeys.load(tmp_path)


def test_empty_key_file_is_refused(tmp_path: Path) -> None:
    StoreKeys.load(tmp_path)
    (tmp_path / ".crmhub" / "secret.key").write_text("")
    with pytest.raises(FatalError, match="empty"):
        StoreKeys.load(tmp_path)


def test_fernet_key_from_environment_is_used_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fernet_key = Fernet.generate_key().decode()
    monkeypatch.setenv(SECRET_KEY_ENV, fernet_key)
    monkeypatch.setenv(HMAC_KEY_ENV, "hmac passphrase from the vault")
    keys = StoreKeys.load(tmp_path)
    assert not (tmp_path / ".crmhub").exists(), "no key file is written when the environment supplies keys"
    assert Fernet(fernet_key.encode()).decrypt(keys.encrypt(b"marker")) == b"marker"
    assert repr(keys) == "StoreKeys(encryption=env, hmac=env)"


def test_passphrase_from_environment_is_stretched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, "correct horse battery staple")
    monkeypatch.setenv(HMAC_KEY_ENV, "another passphrase")
    one, two = StoreKeys.load(tmp_path), StoreKeys.load(tmp_path / "elsewhere")
    assert two.decrypt(one.encrypt(b"x")) == b"x"
    assert one.pseudonym("phone", "+905321234567") == two.pseudonym("phone", "+905321234567")
    monkeypatch.setenv(HMAC_KEY_ENV, "a different passphrase")
    assert StoreKeys.load(tmp_path).pseudonym("phone", "+905321234567") != one.pseudonym("phone", "+905321234567")


def test_environment_keys_are_scrubbed_from_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, "passphrase-that-must-not-leak")
    StoreKeys.load(tmp_path)
    assert "passphrase-that-must-not-leak" not in scrub("failed with passphrase-that-must-not-leak in it")


def test_decrypting_with_another_key_is_a_clear_fatal_error() -> None:
    token = StoreKeys.ephemeral().encrypt(b"data")
    with pytest.raises(FatalError, match="encrypted with another key"):
        StoreKeys.ephemeral().decrypt(token)


def test_ciphertext_differs_from_plaintext_and_between_calls() -> None:
    keys = StoreKeys.ephemeral()
    first, second = keys.encrypt(b"TCKN 10000000146"), keys.encrypt(b"TCKN 10000000146")
    assert b"10000000146" not in first
    assert first != second


def test_pseudonym_is_keyed_normalised_and_short() -> None:
    keys = StoreKeys.ephemeral()
    value = keys.pseudonym("email", "Ayse@Example.com")
    assert len(value) == 32
    assert int(value, 16) >= 0
    assert keys.pseudonym("email", "  ayse@example.COM ") == value
    assert keys.pseudonym("name", "İSMAİL  KILIÇ") == keys.pseudonym("name", "ismail kılıç")
    assert keys.pseudonym("phone", "Ayse@Example.com") != value, "the kind is part of the pseudonym"
    assert StoreKeys.ephemeral().pseudonym("email", "ayse@example.com") != value, "the HMAC key is part of it"


def test_repr_and_pickle_never_expose_key_material(tmp_path: Path) -> None:
    keys = StoreKeys.load(tmp_path)
    secret = (tmp_path / ".crmhub" / "secret.key").read_text().strip()
    hmac_key = (tmp_path / ".crmhub" / "hmac.key").read_text().strip()
    shown = repr(keys) + str(keys)
    assert secret not in shown
    assert hmac_key not in shown
    assert shown.startswith("StoreKeys(encryption=file, hmac=file)")
    import pickle

    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(keys)


def test_pseudonym_is_the_documented_hmac_so_stored_keys_stay_valid() -> None:
    """Identity-map and suppression entries written by earlier versions must still be found."""
    import hashlib
    import hmac

    key = bytes(range(32))
    keys = StoreKeys(Fernet.generate_key(), key, ("ephemeral", "ephemeral"))
    for kind, value, normalised in [("email", " Ayse@Example.COM ", "ayse@example.com"),
                                    ("name", "İSMAİL\tKILIÇ", "ismail kiliç"),
                                    ("phone", "+905321234567", "+905321234567"),
                                    ("block:name", "A\x1fB  C", "a b c")]:
        expected = hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()[:32]
        assert keys.pseudonym(kind, value) == expected
