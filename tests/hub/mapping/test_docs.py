"""mappings/README.md stays true: its example loads, and it lists every transform and reason code."""

from __future__ import annotations

import re
from pathlib import Path

from hub.mapping import parse_mapping
from hub.mapping.builtin_transforms import builtin_registry
from hub.validation import REASON_CODES

README = Path(__file__).resolve().parents[3] / "mappings" / "README.md"


def test_readme_example_loads() -> None:
    example = re.search(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert example is not None
    mapping = parse_mapping(example.group(1), builtin_registry(), source="README example")
    assert set(mapping.streams) == {"contacts", "companies"}
    contacts = mapping.stream("contacts")
    record, issues = contacts.to_canonical({"Name": "Yılmaz, Ahmet", "Status__c": "Working", "Email": "A@B.CO"})
    assert issues == []
    assert record["first_name"] == "Ahmet"
    assert contacts.from_canonical(record) == {
        "Name": "Ahmet Yılmaz", "Status__c": "Open", "Email": "a@b.co", "LeadSource": "crmhub",
    }


def test_readme_lists_every_builtin_transform() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [name for name in builtin_registry().names() if f"`{name}`" not in text]
    assert missing == []


def test_readme_lists_every_reason_code() -> None:
    text = README.read_text(encoding="utf-8")
    assert [code for code in REASON_CODES if f"| `{code}` |" not in text] == []
