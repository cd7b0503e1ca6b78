"""Two fake systems, ``crm`` (already migrated) and ``legacy`` (holding duplicates), into ``dst``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.testing import write_config
from hub.testing.fake import reset_fake_stores

GOKHAN: dict[str, Any] = {
    "first_name": "Gökhan", "last_name": "Karaosmanoğlu", "email": "gokhan.k@firma.com.tr",
    "mobile": "+905321112233", "address.city": "Bursa", "birth_date": "1979-03-14",
}
AYSE: dict[str, Any] = {
    "first_name": "Ayşe", "last_name": "Yıldırım", "email": "ayse.yildirim@example.com.tr",
    "mobile": "+905337654321", "address.city": "İzmir",
}


@pytest.fixture(autouse=True)
def _clean_fake_stores() -> None:
    reset_fake_stores()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, {
        "crm": {"connector": "fake", "store": "crm"},
        "legacy": {"connector": "fake", "store": "legacy"},
        "dst": {"connector": "fake", "store": "dst", "classification": "sales"},
    })
