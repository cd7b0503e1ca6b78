"""crmhub's connector contract suite, run against the Zoho connector and its sandbox."""

from __future__ import annotations

import pytest
from crmhub_zoho.sandbox import ZohoSandbox
from pydantic import SecretStr

from hub.testing import ConnectorContract, ContractHarness

RECORDS = [
    {"First_Name": "Çağla", "Last_Name": "Işık", "Email": "cagla@example.com.tr", "Mailing_City": "Eskişehir"},
    {"First_Name": "İlker", "Last_Name": "Güneş", "Phone": "+902125550101"},
    {"First_Name": "Şule", "Last_Name": "Doğan", "Lead_Source": "Web Download"},
]


class TestZohoContract(ConnectorContract):
    @pytest.fixture
    def harness(self, make_connector, sandbox: ZohoSandbox) -> ContractHarness:
        cred = sandbox.credentials
        return ContractHarness(
            make=lambda: make_connector(page_size=2),
            stream="Contacts",
            records=[dict(r) for r in RECORDS],
            secrets=[sandbox.token, cred.client_secret, cred.refresh_token, "1000.wrong.token"],
            make_unauthorised=lambda: make_connector(token=SecretStr("1000.wrong.token")),
            invalid_record={"Last_Name": "x" * 81},
        )
