"""The Salesforce leg of ``crmhub demo``: the demo's SQLite warehouse migrated into a local sandbox org.

``crmhub demo`` leaves ``warehouse.db`` (the cleaned customers) in its folder. This leg starts the
Salesforce sandbox in that folder, adds a ``salesforce`` connection next to the demo's own in
``crmhub-salesforce.yaml``, migrates warehouse → Salesforce through the engine, then runs it again
to show that nothing changes twice. ``python -m crmhub_salesforce.demo [FOLDER]`` runs it on its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

from crmhub_salesforce.sandbox import start
from crmhub_salesforce.testkit import sdk_client

TOKEN_ENV = "CRMHUB_DEMO_SALESFORCE_TOKEN"  # noqa: S105 - the name of a variable, not a secret


def run_salesforce_leg(folder: Path) -> dict[str, Any]:
    """Migrate ``folder/warehouse.db`` into a sandbox org (kept in ``folder/salesforce-sandbox``) and back again."""
    from hub.sandbox import SandboxOptions
    from hub.testing import run_migration

    warehouse = folder / "warehouse.db"
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse} is missing: run `crmhub demo --dir {folder}` first")
    sandbox = start(SandboxOptions(data_dir=folder / "salesforce-sandbox"))
    try:
        os.environ[TOKEN_ENV] = sandbox.token
        config = folder / "crmhub-salesforce.yaml"
        config.write_text(yaml.safe_dump({
            "state": "sqlite:///.crmhub/state-salesforce.db",
            "connections": {
                "warehouse": {"connector": "sql", "url": f"sqlite:///{warehouse}", "table": "contacts"},
                "salesforce": {"connector": "salesforce", "url": sandbox.url, "token": f"${{env:{TOKEN_ENV}}}",
                               "ca_file": sandbox.ca_file, "sandbox": True},
            },
            "pipelines": {"warehouse-to-salesforce": {"source": "warehouse", "target": "salesforce",
                                                      "streams": ["contacts"], "purposes": ["sales"]}},
        }, allow_unicode=True, sort_keys=False), encoding="utf-8")
        first = run_migration(config, "warehouse", "salesforce", pipeline="warehouse-to-salesforce")
        again = run_migration(config, "warehouse", "salesforce", pipeline="warehouse-to-salesforce", restart=True)
        in_org = sdk_client(sandbox).query("SELECT COUNT() FROM Contact")["totalSize"]
        return {"config": str(config), "sandbox": sandbox.url, "contacts_in_salesforce": in_org,
                "first": first, "rerun": again}
    finally:
        sandbox.stop()
        os.environ.pop(TOKEN_ENV, None)


if __name__ == "__main__":
    import json

    result = run_salesforce_leg(Path(sys.argv[1] if len(sys.argv) > 1 else "crmhub-demo").resolve())
    print(json.dumps(result, ensure_ascii=False, default=str, indent=2))
