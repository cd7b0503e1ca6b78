"""crmhub's connector contract suite against the sandbox, through the real simple-salesforce client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from crmhub_salesforce.connector import SalesforceConnector
from crmhub_salesforce.sandbox import SalesforceSandbox
from crmhub_salesforce.testkit import connector_config, make_connector

from hub.connectors.api import ConnectorContext
from hub.testing import ConnectorContract, ContractHarness


@pytest.fixture
def small_pages(make_sandbox: Any) -> SalesforceSandbox:
    # Salesforce pages hold at least 200 rows; the sandbox can page smaller so resuming is exercised.
    sandbox: SalesforceSandbox = make_sandbox(query_batch_size=2)
    return sandbox


def _harness(sandbox: SalesforceSandbox, tmp_path: Path, stream: str, records: list[dict[str, Any]],
             invalid: dict[str, Any], change: Callable[[dict[str, Any]], dict[str, Any]] | None = None
             ) -> ContractHarness:
    def make() -> SalesforceConnector:
        return SalesforceConnector(connector_config(sandbox), ConnectorContext("salesforce-contract", tmp_path))

    def unauthorised() -> SalesforceConnector:
        return SalesforceConnector(connector_config(sandbox, token="00D5g00000ABCDE!forged-session"),
                                   ConnectorContext("salesforce-contract", tmp_path))

    return ContractHarness(make=make, stream=stream, records=records, secrets=[sandbox.token],
                           make_unauthorised=unauthorised, invalid_record=invalid, change=change)


class TestSalesforceContacts(ConnectorContract):
    @pytest.fixture
    def harness(self, small_pages: SalesforceSandbox, tmp_path: Path) -> ContractHarness:
        return _harness(small_pages, tmp_path, "Contact", [
            {"FirstName": "Ayşe", "LastName": "Yılmaz", "Email": "ayse.yilmaz@example.com.tr", "MailingCity": "İzmir"},
            {"FirstName": "İsmail", "LastName": "Çakır", "Email": "ismail@example.com", "Phone": "+905321234567"},
            {"FirstName": "John", "LastName": "Doe", "Lifecycle_Stage__c": "Customer", "Birthdate": "1990-04-23"},
        ], invalid={"LastName": "Geçersiz", "LeadSource": "Carrier Pigeon"})


class TestSalesforceAccounts(ConnectorContract):
    @pytest.fixture
    def harness(self, small_pages: SalesforceSandbox, tmp_path: Path) -> ContractHarness:
        return _harness(small_pages, tmp_path, "Account", [
            {"Name": "Anadolu Tekstil A.Ş.", "Website": "anadolutekstil.com.tr", "Industry": "Manufacturing"},
            {"Name": "Boğaziçi Lojistik Ltd. Şti.", "BillingCity": "İstanbul", "Tax_Id__c": "1234567890"},
            {"Name": "Ege Gıda", "BillingCountry": "TR"},
        ], invalid={"Name": "Yanlış", "Industry": "Space Tourism"},
            # Name is required: the update and the emptying go to a nillable field
            change=lambda fields: {"Website": "www." + fields["Website"]})


class TestSalesforceLeads(ConnectorContract):
    @pytest.fixture
    def harness(self, small_pages: SalesforceSandbox, tmp_path: Path) -> ContractHarness:
        return _harness(small_pages, tmp_path, "Lead", [
            {"LastName": "Demir", "Company": "Demir Ticaret", "Email": "info@demir.com.tr"},
            {"LastName": "Şahin", "FirstName": "Gül", "Company": "Şahin Ltd."},
            {"LastName": "Kaya", "Company": "Kaya A.Ş.", "City": "Ankara"},
        ], invalid={"LastName": "Eksik"},  # Company is required on a Lead
            change=lambda fields: {"Email": "bilgi@" + fields["Email"].split("@")[1]})


def test_make_connector_helper_opens_a_working_connector(small_pages: SalesforceSandbox, tmp_path: Path) -> None:
    connector = make_connector(small_pages, tmp_path)
    try:
        assert connector.check().ok
    finally:
        connector.close()
