"""A two-system set-up on the fake connector: ``src`` → ``dst``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.testing import write_config


def contact(n: int, **extra: Any) -> dict[str, Any]:
    """A valid canonical contact, numbered."""
    return {"first_name": "Çağla", "last_name": f"Yılmaz{n}", "email": f"cagla{n}@example.com.tr",
            "mobile": f"+90532{n:07d}", "address.city": "İzmir", "address.country": "TR", **extra}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, {
        "src": {"connector": "fake", "store": "src", "page_size": 3},
        "dst": {"connector": "fake", "store": "dst", "classification": "sales"},
    })
