"""What the two-way sync tests share: running a cycle of pipeline ``ab`` and editing a fake system as its user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.app import open_hub
from hub.engine.twoway import TwoWaySync
from hub.testing import fake_store, put_records


def cycle(config: Path) -> dict[str, Any]:
    """One two-way cycle of pipeline ``ab``; it must succeed."""
    with open_hub(config) as session:
        result = TwoWaySync(session, "ab").cycle()
    assert result["status"] == "succeeded", result
    return result


def edit(store: str, key: str, **changes: Any) -> None:
    """Change a record the way a user of that system would: its modification sequence moves (``None`` empties)."""
    row = {k: v for k, v in fake_store(store)["contacts"][key].items() if not k.startswith("_")}
    put_records(store, "contacts", {key: {**row, **changes}})
