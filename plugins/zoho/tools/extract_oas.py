"""Extract the response schemas the sandbox must honour from a checkout of Zoho's ``crm-oas`` repository.

Usage: ``python tools/extract_oas.py PATH/TO/crm-oas/v8.0 > tests/oas/zoho_crm_v8_responses.json``

Every ``$ref`` (local or to ``raw.githubusercontent.com/.../v8.0/<file>.json``) is inlined, so the
output is one self-contained JSON Schema per operation. A reference that loops back on itself is
replaced by ``{}`` (accept anything) at the point where it recurs; the note in the output says so.
The schemas are kept exactly as Zoho wrote them: the test decides how to apply them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

# (label, file, path, method, status or "requestBody")
OPERATIONS: list[tuple[str, str, str, str, str]] = [
    ("get_records", "record.json", "/crm/v8/{module_api_name}", "get", "200"),
    ("create_records", "record.json", "/crm/v8/{module_api_name}", "post", "200"),
    ("update_records", "record.json", "/crm/v8/{module_api_name}", "put", "200"),
    ("delete_records", "record.json", "/crm/v8/{module_api_name}", "delete", "200"),
    ("upsert_records", "record.json", "/crm/v8/{module_api_name}/upsert", "post", "200"),
    ("upsert_request", "record.json", "/crm/v8/{module_api_name}/upsert", "post", "requestBody"),
    ("deleted_records", "record.json", "/crm/v8/{module_api_name}/deleted", "get", "200"),
    ("search_records", "record.json", "/crm/v8/{module_api_name}/search", "get", "200"),
    ("get_fields", "fields.json", "/crm/v8/settings/fields", "get", "200"),
    ("get_fields_error", "fields.json", "/crm/v8/settings/fields", "get", "400"),
]
GENERIC = {"api_exception": ("common.json", "#/components/schemas/API_Exception")}
_REMOTE = re.compile(r"^https://raw\.githubusercontent\.com/[^#]*/v8\.0/([a-z_]+\.json)(#.*)?$")


class Resolver:
    """Inlines references across the files of one ``v8.0`` folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.docs: dict[str, Any] = {}
        self.cut: set[str] = set()

    def doc(self, name: str) -> Any:
        if name not in self.docs:
            self.docs[name] = json.loads((self.folder / name).read_text(encoding="utf-8"))
        return self.docs[name]

    def pointer(self, name: str, fragment: str) -> Any:
        node = self.doc(name)
        for part in fragment.lstrip("#/").split("/"):
            if part:
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def inline(self, node: Any, current: str, stack: tuple[str, ...] = ()) -> Any:
        if isinstance(node, list):
            return [self.inline(item, current, stack) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            remote = _REMOTE.match(ref)
            name, fragment = (remote.group(1), remote.group(2) or "#") if remote else (current, ref)
            key = f"{name}{fragment}"
            if key in stack:
                self.cut.add(key)
                return {}
            return self.inline(self.pointer(name, fragment), name, (*stack, key))
        return {k: self.inline(v, current, stack) for k, v in node.items()}


def main(folder: Path) -> dict[str, Any]:
    resolver = Resolver(folder)
    out: dict[str, Any] = {}
    for label, file, path, method, status in OPERATIONS:
        operation = resolver.pointer(file, "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method)
        if status == "requestBody":
            target = operation["requestBody"]
        else:
            target = resolver.inline(operation["responses"][status], file)
        target = resolver.inline(target, file)
        out[label] = {
            "source": f"{file} {method.upper()} {path} {status}",
            "schema": target["content"]["application/json"]["schema"],
        }
    for label, (file, fragment) in GENERIC.items():
        out[label] = {"source": f"{file} {fragment}", "schema": resolver.inline(resolver.pointer(file, fragment), file)}
    return {
        "note": "Derived from zoho/crm-oas v8.0 by tools/extract_oas.py; $refs inlined, recursion cut: "
        + ", ".join(sorted(resolver.cut)),
        "operations": out,
    }


if __name__ == "__main__":
    json.dump(main(Path(sys.argv[1])), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")
