"""Shared fixtures: isolated keys and environment for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.testing import reset_fake_stores


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("CRMHUB_CONFIG", raising=False)
    monkeypatch.delenv("CRMHUB_SECRET_KEY", raising=False)
    monkeypatch.delenv("CRMHUB_HMAC_KEY", raising=False)
    monkeypatch.setenv("CRMHUB_RETRY_SCALE", "0.001")
    reset_fake_stores()
    yield
    reset_fake_stores()
