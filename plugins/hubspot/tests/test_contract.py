"""crmhub's connector contract suite, run against the HubSpot sandbox through the real SDK."""

from __future__ import annotations

from pathlib import Path

import pytest
from crmhub_hubspot.config import HubSpotConfig
from crmhub_hubspot.connector import HubSpotConnector
from crmhub_hubspot.sandbox import HubSpotSandbox

from hub.connectors.api import ConnectorContext
from hub.testing import ConnectorContract, ContractHarness


def _connector(sandbox: HubSpotSandbox, tmp_path: Path, token: str) -> HubSpotConnector:
    config = HubSpotConfig(url=sandbox.url, token=token, allow_insecure_sandbox=True, tier="unlimited", page_size=2)
    return HubSpotConnector(config, ConnectorContext("hubspot-contract", tmp_path))


class TestHubSpotContacts(ConnectorContract):
    @pytest.fixture
    def harness(self, sandbox: HubSpotSandbox, tmp_path: Path) -> ContractHarness:
        return ContractHarness(
            make=lambda: _connector(sandbox, tmp_path, sandbox.token),
            stream="contacts",
            records=[
                {"email": "ayse.yilmaz@example.com.tr", "firstname": "Ayşe", "lastname": "Yılmaz"},
                {"email": "ismail.cakir@example.com", "firstname": "İsmail", "lastname": "Çakır"},
                {"email": "john.doe@example.co.uk", "firstname": "John", "lastname": "Doe",
                 "lifecyclestage": "customer"},
            ],
            secrets=[sandbox.token],
            make_unauthorised=lambda: _connector(sandbox, tmp_path, "pat-na1-00000000-wrong"),
            invalid_record={"email": "not-an-email", "firstname": "Geçersiz"},
        )


class TestHubSpotCompanies(ConnectorContract):
    @pytest.fixture
    def harness(self, sandbox: HubSpotSandbox, tmp_path: Path) -> ContractHarness:
        return ContractHarness(
            make=lambda: _connector(sandbox, tmp_path, sandbox.token),
            stream="companies",
            records=[
                {"name": "Anadolu Tekstil A.Ş.", "domain": "anadolutekstil.com.tr", "industry": "TEXTILES"},
                {"name": "Boğaziçi Lojistik Ltd. Şti.", "city": "İstanbul"},
                {"name": "Ege Gıda", "annualrevenue": "1250000"},
            ],
            secrets=[sandbox.token],
            make_unauthorised=lambda: _connector(sandbox, tmp_path, "pat-na1-00000000-wrong"),
            invalid_record={"name": "Yanlış", "industry": "SPACE_TOURISM"},
        )
