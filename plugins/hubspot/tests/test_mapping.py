"""mappings/hubspot.yaml: loads cleanly, fits what the connector discovers, and round-trips Turkish records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from crmhub_hubspot.connector import HubSpotConnector

from hub.mapping import Mapping, load_mapping
from hub.plugins import PluginHost

MAPPING = Path(__file__).resolve().parents[3] / "mappings" / "hubspot.yaml"


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    host = PluginHost.start(environ={"CRMHUB_BLOCK_PLUGINS": "zoho,salesforce"})
    return load_mapping(MAPPING, host.transforms)


@pytest.mark.parametrize("stream", ["contacts", "companies"])
def test_mapping_fits_the_discovered_schema(mapping: Mapping, connector: HubSpotConnector, stream: str) -> None:
    info = {i.name: i for i in connector.discover()}[mapping.stream(stream).object]
    assert mapping.stream(stream).check_against(info) == []
    assert mapping.stream(stream).key_field == info.key_field == "crmhub_id"


def test_contact_round_trip(mapping: Mapping) -> None:
    contacts = mapping.stream("contacts")
    hubspot = {"firstname": "Çağla", "lastname": "Şahin", "email": " Cagla.Sahin@Example.COM.tr ",
               "phone": "0532 123 45 67", "country": "Türkiye", "city": "İzmir", "date_of_birth": "1990-03-05",
               "hs_language": "en-gb", "lifecyclestage": "salesqualifiedlead", "company_key": "hub-co-1",
               "hs_email_optout": "true", "createdate": "2024-01-01T10:00:00.000Z",
               # what the connector shows of the contact's subscription status (hs_email_optout folded in)
               "subscription.status": "NOT_SUBSCRIBED", "subscription.legal_basis": "LEGITIMATE_INTEREST_CLIENT"}
    canonical, issues = contacts.to_canonical(hubspot)
    assert issues == []
    assert canonical["email"] == "cagla.sahin@example.com.tr"
    assert canonical["phone"] == "+905321234567"
    assert canonical["address.country"] == "TR"
    assert canonical["birth_date"] == dt.date(1990, 3, 5)
    assert canonical["lifecycle_stage"] == "sales_qualified"
    assert canonical["custom.company_id"] == "hub-co-1"
    assert canonical["consent.email"] == "denied"
    assert canonical["consent.legal_basis"] == "legitimate_interest"
    back = contacts.from_canonical(canonical)
    assert back["lifecyclestage"] == "salesqualifiedlead"
    assert back["hs_language"] == "en-gb"
    assert back["company_key"] == "hub-co-1"
    assert "hs_email_optout" not in back
    assert back["subscription.status"] == "NOT_SUBSCRIBED"  # written through the subscription API
    assert "createdate" not in back
