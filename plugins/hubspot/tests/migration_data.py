"""Seeded CSV exports (canonical headers) of companies and their contacts, for migrations into HubSpot."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.engine.identity import mint_hub_id

FIRST = ["Ayşe", "Mehmet", "İsmail", "Çağla", "Şükrü", "Gülşen", "Oğuz", "Ümran", "John", "Maria"]
LAST = ["Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk", "Aydın", "Doğan", "Smith", "García"]
CITIES = ["İstanbul", "Ankara", "İzmir", "Şanlıurfa", "Muğla", "Berlin", "London"]
COMPANIES_CONNECTION = "firms"


def write_companies(path: Path, count: int) -> list[str]:
    """``count`` companies; returns their source ids."""
    ids = [f"C{i:04d}" for i in range(count)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "domain", "address.city", "address.country"])
        for i, company_id in enumerate(ids):
            writer.writerow([company_id, f"Anadolu Ticaret {i} A.Ş.", f"anadolu{i}.com.tr", CITIES[i % 7], "TR"])
    return ids


def company_hub_id(source_id: str) -> str:
    """The hub id the engine gives a company read from the ``firms`` CSV connection."""
    return mint_hub_id(COMPANIES_CONNECTION, "companies", source_id)


def write_contacts(path: Path, count: int, company_ids: list[str], seed: int = 7) -> None:
    """``count`` contacts, each working at one of ``company_ids`` (as ``custom.company_id``)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email", "phone", "address.city", "custom.company_id"])
        for i in range(count):
            company = company_ids[i % len(company_ids)] if company_ids else ""
            # Distinct last names: identity resolution would rightly hold look-alike people for review.
            writer.writerow([f"P{i:06d}", rng.choice(FIRST), f"{rng.choice(LAST)} {i}", f"kisi{i}@example.com.tr",
                             f"+90 532 {i % 1000:03d} {i % 100:02d} {i % 97:02d}", CITIES[i % 7],
                             company_hub_id(company) if company else ""])


def hubspot_connection(sandbox: HubSpotSandbox, **extra: Any) -> dict[str, Any]:
    """A ``crmhub.yaml`` connection to the sandbox; the token comes from ``$HUBSPOT_SANDBOX_TOKEN``."""
    return {"connector": "hubspot", "url": sandbox.url, "token": "${env:HUBSPOT_SANDBOX_TOKEN}",
            "allow_insecure_sandbox": True, "tier": "unlimited", **extra}


def live(sandbox: HubSpotSandbox, object_type: str) -> list[dict[str, str]]:
    with sandbox.store.lock:
        return [dict(o.properties) for o in sandbox.store.portal(object_type).records.values() if not o.archived]
